"""The drawn gift pictures: one sprite, a distinct drawing per demo gift, old names kept."""

import re
from pathlib import Path

from app.demo.catalogue_data import GIFTS
from app.demo.descriptions import DESCRIPTIONS
from app.demo.gift_library import TEMPLATES
from app.drawings import ALIASES, DEFAULT, DRAWINGS, SPRITE, chosen, drawing, is_drawing

STATIC = Path(__file__).resolve().parents[2] / "app" / "static"
OLD_NAMES = ("bottle", "jar", "lipstick", "coupon", "ticket", "spa")


def _symbols() -> dict[str, str]:
    text = (STATIC / SPRITE).read_text()
    return dict(re.findall(r'<symbol id="([^"]+)"[^>]*>(.*?)</symbol>', text, re.S))


def test_every_listed_drawing_is_in_the_sprite_and_every_symbol_is_listed():
    assert set(_symbols()) == set(DRAWINGS)


def test_each_drawing_is_small_and_square_and_fits_the_image_column():
    text = (STATIC / SPRITE).read_text()
    for name, body in _symbols().items():
        assert len(body.encode()) < 3 * 1024, f"{name} is {len(body)} bytes"
        assert len(name) <= 20, f"{name} does not fit gifts.image (String(20))"
    assert len(re.findall(r'viewBox="0 0 200 200"', text)) == len(DRAWINGS)


def test_no_two_demo_gifts_share_a_drawing_and_each_is_in_the_sprite():
    images = [row[2] for row in GIFTS]
    assert len(set(images)) == len(images), f"shared: {images}"
    assert set(images) <= set(_symbols())
    perfume = next(row for row in GIFTS if "淡香水" in row[3])
    assert perfume[2] == "perfume"  # the perfume is not the serum bottle


def test_every_library_template_has_a_drawing():
    assert {row[3] for row in TEMPLATES} <= set(DRAWINGS)


def test_the_six_old_names_stay_valid_drawings():
    for name in OLD_NAMES:
        assert is_drawing(name) and drawing(name) in DRAWINGS
    assert drawing("bottle") == "serum" and drawing("jar") == "cream"
    assert set(ALIASES.values()) <= set(DRAWINGS)


def test_an_unknown_or_empty_name_shows_the_default_drawing():
    assert drawing("nonsense") == drawing(None) == drawing("") == DEFAULT
    assert not is_drawing("nonsense")


def test_every_demo_gift_has_a_description_with_its_value_in_three_languages():
    for row in GIFTS:
        zh = row[3]
        hans, en, hant = DESCRIPTIONS[zh]
        value = f"{row[7] // 100:,}"  # what it costs the brand, in yuan
        for text in (hans, en, hant):
            assert f"¥{value}" in text, f"{zh}: no ¥{value} in {text!r}"
        assert "value" in en and "价值" in hans and "價值" in hant


def test_an_old_name_posted_as_its_new_one_is_no_change():
    assert chosen("bottle", "serum") == "bottle"  # the form showed "bottle" as the serum
    assert chosen("bottle", "perfume") == "perfume"
    assert chosen("serum", "bottle") == "serum"
