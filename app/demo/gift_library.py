"""Demo gift library (礼品库): ten templates the brand keeps ready to list."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import GiftTemplate, Shelf

# code, shelf, kind, drawing, zh_Hans, en, zh_Hant, points, cash fen, cost fen, extra fields
TEMPLATES = [
    ("serum-30", "care", "physical", "serum", "云澜青春精华 30ml 正装", "Youth Serum 30 ml",
     "雲瀾青春精華 30ml 正裝", 5_800, 0, 58_000, {"badges": ["new"]}),
    ("eye-cream", "care", "physical", "eye-cream", "紧致眼霜 15ml", "Firming Eye Cream 15 ml",
     "緊緻眼霜 15ml", 3_200, 9_900, 32_000, {"badges": ["points_cash"]}),
    ("mask-box", "care", "physical", "mask", "水润面膜 5 片装", "Hydrating Masks ×5",
     "水潤面膜 5 片裝", 900, 0, 6_000, {"limit_count": 2, "limit_period": "month"}),
    ("gold-set", "care", "physical", "gift-box", "金卡臻享礼盒", "Gold Tier Gift Box",
     "金卡臻享禮盒", 9_000, 0, 90_000,
     {"tier_codes": ["gold", "diamond"], "badges": ["exclusive"]}),
    ("lipstick-new", "makeup", "physical", "lipstick", "缎光唇膏 #301", "Satin Lipstick #301",
     "緞光唇膏 #301", 2_000, 0, 20_000, {"badges": ["hot"], "per_order_max": 2}),
    ("perfume-mini", "makeup", "physical", "perfume-mini", "花漾香水小样 5ml", "Bloom Perfume 5 ml",
     "花漾香水小樣 5ml", 800, 0, 4_000, {"limit_count": 1, "limit_period": "total"}),
    ("voucher-100", "coupons", "coupon", "coupon", "专柜 100 元代金券", "¥100 counter voucher",
     "專櫃 100 元代金券", 2_000, 0, 10_000, {"limit_count": 1, "limit_period": "week"}),
    ("coffee", "perks", "virtual", "coffee", "咖啡兑换券", "Coffee voucher",
     "咖啡兌換券", 300, 0, 2_000, {"limit_count": 1, "limit_period": "day"}),
    ("facial-90", "services", "service", "facial", "专柜深层护理 90 分钟", "90-minute deep facial",
     "專櫃深層護理 90 分鐘", 4_500, 0, 30_000, {"per_order_max": 1}),
    ("diamond-spa", "services", "service", "spa", "钻石会员 SPA 体验", "Diamond spa experience",
     "鑽石會員 SPA 體驗", 8_000, 0, 60_000, {"tier_codes": ["diamond"], "per_order_max": 1}),
]  # fmt: skip


def load(session: Session) -> None:
    """The ten templates, once each (matched by code); later runs change nothing."""
    have = set(session.scalars(select(GiftTemplate.code)))
    shelves = {s.code: s.id for s in session.scalars(select(Shelf))}
    for sort, row in enumerate(TEMPLATES):
        code, shelf, kind, image, zh, en, hant, points, cash, cost, extra = row
        if code in have:
            continue
        session.add(
            GiftTemplate(
                code=code,
                kind=kind,
                image=image,
                name=zh,
                names={"en": en, "zh_Hant": hant},
                description=f"{zh}。云澜会员专享。",
                sort=sort,
                descriptions={
                    "en": f"{en}. For YUNLAN members.",
                    "zh_Hant": f"{hant}。雲瀾會員專享。",
                },
                shelf_id=shelves.get(shelf),
                points_price=points,
                cash_fen=cash,
                cost_fen=cost,
                **extra,
            )  # fmt: skip
        )
    session.flush()
