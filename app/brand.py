"""The brand in one place: name, logo and tagline here; colours and type in static/css/brand.css."""

BRAND = {
    "name": "云澜",
    "name_en": "YUNLAN",
    "tagline": "东方草本 · 科学护肤",
    "tagline_en": "Botanical science for skin",
    "logo": "img/logo.svg",
    "mall_name": "云澜积分商城",
    "mall_name_en": "YUNLAN Rewards",
}
