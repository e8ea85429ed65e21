"""The demo's names in English and Traditional Chinese (converted from Simplified by hand)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo.descriptions import DESCRIPTIONS
from app.models import Benefit, Gift, HomeSection

# the demo's names in Traditional Chinese, converted by hand (zh_Hans → zh_Hant)
HANT = {
    "云澜青春精华 15ml 体验装": "雲瀾青春精華 15ml 體驗裝",
    "云澜臻养面霜 50ml": "雲瀾臻養面霜 50ml",
    "雪莲焕白精华 30ml": "雪蓮煥白精華 30ml",
    "金卡尊享修护礼盒": "金卡尊享修護禮盒",
    "丝绒唇膏 #520": "絲絨唇膏 #520",
    "晨露淡香水 10ml": "晨露淡香水 10ml",
    "限定圣诞唇膏礼盒": "限定聖誕唇膏禮盒",
    "专柜 50 元代金券": "專櫃 50 元代金券",
    "满 500 减 100 券": "滿 500 減 100 券",
    "视频会员月卡": "視頻會員月卡",
    "音乐会员季卡": "音樂會員季卡",
    "专柜焕颜护理 60 分钟": "專櫃煥顏護理 60 分鐘",
    "钻石专享眼部护理": "鑽石專享眼部護理",
    # home sections and benefits
    "冬日焕颜季": "冬日煥顏季",
    "限时兑换": "限時兌換",
    "金卡季度免费护理": "金卡季度免費護理",
    "钻石生日礼盒": "鑽石生日禮盒",
    "会员日 10 积分抵 1 元": "會員日 10 積分抵 1 元",
}
BENEFITS_EN = {
    "金卡季度免费护理": "Free care session each quarter",
    "钻石生日礼盒": "Diamond birthday box",
    "会员日 10 积分抵 1 元": "Member day: 10 points = ¥1",
}


def benefit_names(zh: str) -> dict:
    """A demo benefit's names in English and Traditional Chinese."""
    return {"en": BENEFITS_EN[zh], "zh_Hant": HANT[zh]}


def description(zh: str, en: str) -> tuple[str, dict]:
    """A demo gift's description (zh_Hans: size, what it is, its value) and its translations."""
    if zh in DESCRIPTIONS:
        hans, english, hant = DESCRIPTIONS[zh]
        return hans, {"en": english, "zh_Hant": hant}
    return f"{zh}。云澜会员专享兑换。", {
        "en": f"{en}. For YUNLAN members.",
        "zh_Hant": f"{HANT.get(zh, zh)}。雲瀾會員專享兌換。",
    }


def translate(session: Session) -> None:
    """Fill in the Traditional names a database loaded before they existed lacks (idempotent)."""
    for model, field in ((Gift, "names"), (Benefit, "names"), (HomeSection, "titles")):
        for row in session.scalars(select(model)):
            source = row.title if model is HomeSection else row.name
            have = dict(getattr(row, field) or {})
            if source in HANT and "zh_Hant" not in have:
                setattr(row, field, have | {"zh_Hant": HANT[source]})
            demo_text = model is Gift and row.description == description(row.name, "")[0]
            if demo_text and "zh_Hant" not in (row.descriptions or {}):
                en = have.get("en", row.name)
                row.descriptions = (row.descriptions or {}) | description(row.name, en)[1]
