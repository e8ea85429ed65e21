"""The brand in one place: name, logo and words here; colours and type in static/css/brand.css."""

BRAND = {
    "name": "云澜",
    "name_en": "YUNLAN",
    "logo": "img/logo.svg",
    "text": {
        "zh_Hans": {"mall_name": "云澜积分商城", "tagline": "东方草本 · 科学护肤"},
        "zh_Hant": {"name": "雲瀾", "mall_name": "雲瀾積分商城", "tagline": "東方草本 · 科學護膚"},
        "en": {"mall_name": "YUNLAN Rewards", "tagline": "Botanical science for skin"},
    },
}
