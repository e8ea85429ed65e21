"""A plausible past for one load-test member: purchases at the counters' POS, daily sign-ins,
gift redemptions picked up in store, a few refunds, monthly tier reviews and expiries.

About ten ledger entries a member for twelve months. Every row is what the live path writes:
a purchase is POST /api/v1/orders (pos_orders, its lot, transaction, entry, growth, upgrade),
a refund POST …/refunds, a sign-in earning.sign_in, a redemption placing.place + the
counter's hand-over. The randomness is seeded by the member id, so a history is repeatable.
"""

import bisect
import hashlib
import random
from datetime import datetime, timedelta

from app.demo.calendar import Calendar
from app.demo.ledger_rows import Account
from app.services.points.earning import PCT, Factors, points_of
from app.services.points.purchases import body_hash

CATEGORIES = ("skincare", "makeup", "fragrance", "gift_card")

HOUR = 3600
REVIEW_DELAY = timedelta(minutes=10)  # the review-tiers job runs just after midnight on the 1st
SKUS = [("YL-SERUM-50", "skincare", 68_000), ("YL-CREAM-30", "skincare", 52_000),
        ("YL-LIP-03", "makeup", 28_000), ("YL-CUSHION", "makeup", 42_000),
        ("YL-EDP-50", "fragrance", 96_000), ("YL-TONER-150", "skincare", 32_000),
        ("YL-MASK-5", "skincare", 18_000), ("YL-GIFTCARD", "gift_card", 50_000)]  # fmt: skip
SIGNIN_RUN_LENGTHS = [1, 1, 1, 2, 2, 3, 4, 7, 8]  # a week's streak now and then
POS_ORDER = ("id", "order_no", "member_id", "store_code", "channel", "paid_fen", "paid_at",
             "lines", "body_hash", "points_awarded", "refunded_fen", "points_reversed",
             "created_at")  # fmt: skip
REFUND = ("refund_no", "order_id", "refund_fen", "body_hash", "points_reversed", "created_at")
SIGNIN = ("member_id", "local_date", "streak", "points", "created_at")
ORDER = ("id", "order_no", "request_key", "member_id", "gift_id", "qty", "points", "cash_fen",
         "points_for_cash", "cash_due_fen", "delivery", "store_id", "status", "pickup_code",
         "created_at", "closed_at")  # fmt: skip
ORDER_EVENT = ("order_id", "status", "note", "at")


class History:
    """Generates members' pasts over a calendar; `stores` are (id, code), `gifts` (id, points)."""

    def __init__(self, cal: Calendar, rows, ids, stores, gifts, base_tier, months: int):
        self.cal, self.rows, self.ids = cal, rows, ids
        self.stores, self.gifts, self.base, self.months = stores, gifts, base_tier, months

    def instant(self, rnd, day: int, first_hour: int, last_hour: int) -> datetime:
        """A random moment of a day between two brand-local hours."""
        seconds = int((first_hour + (last_hour - first_hour) * rnd.random()) * HOUR)
        return self.cal.starts[day] + timedelta(seconds=seconds)

    def joined(self, member_id: int) -> datetime:
        """When the member joined: in the first fortnight of the history."""
        rnd = random.Random(member_id)
        return self.instant(rnd, rnd.randrange(min(14, self.cal.count)), 9, 21)

    def member(self, member_id: int, phone: str, member_no: str, joined: datetime) -> Account:
        """The member's whole past; the returned account holds their tier and debt now."""
        rnd = random.Random(member_id * 7919)
        acct = Account(self.rows, self.ids, member_id, self.base)
        start = (joined - self.cal.start(0)).days
        day = self.cal[start]
        acct.credit("adjustment", 10_000, f"loadtest:{phone}", joined, day.expires["adjustment"])
        events = sorted(self.plan(rnd, start + 1, member_no))
        reviews, state = self.cal.month_starts(joined), {"month": None, "used": 0, "streak": {}}
        state["events"], index = events, 0
        while index < len(events):
            at, _, kind, payload = events[index]
            index = state["next"] = index + 1
            reviews = self.reviews(acct, reviews, at)
            acct.expire_until(at)
            getattr(self, kind)(acct, rnd, at, payload, state)
        self.reviews(acct, reviews, self.cal.now)
        acct.expire_all(self.cal.now)
        acct.write_lots()
        return acct

    def plan(self, rnd, first: int, member_no: str) -> list[tuple]:
        """What happens when: (instant, order, handler, payload), unsorted."""
        last = self.cal.count - 1  # today: only what is already past
        if first >= last:
            return []
        events, scale = [], self.months / 12
        days = set()
        for _ in range(_count(rnd, (0.4, 0.3, 0.15, 0.1, 0.05), scale)):  # sign-in runs
            begin = rnd.randrange(first, last)
            days.update(range(begin, min(begin + rnd.choice(SIGNIN_RUN_LENGTHS), last)))
        events += [(self.instant(rnd, day, 7, 22), 1, "signin", day) for day in sorted(days)]
        for k in range(_count(rnd, (0.2, 0.2, 0.25, 0.15, 0.1, 0.05, 0.05), scale)):  # buys
            day = rnd.randrange(first, last)
            events.append((self.instant(rnd, day, 10, 21), 2, "purchase", (day, member_no, k)))
        for k in range(_count(rnd, (0.45, 0.4, 0.15), scale)):  # redemptions
            day = rnd.randrange(first, last)
            events.append((self.instant(rnd, day, 10, 21), 3, "redeem", (day, k)))
        return [e for e in events if e[0] < self.cal.now]

    def signin(self, acct, rnd, at, day, state) -> None:
        """earning.sign_in: the streak, the bonus every N days, the monthly behaviour cap."""
        d = self.cal[day]
        points, every, bonus = d.signin
        streak = state["streak"].get(day - 1, 0) + 1
        state["streak"][day] = streak
        if streak % every == 0:
            points += bonus
        month = d.day.replace(day=1)
        if state["month"] != month:
            state["month"], state["used"] = month, 0
        granted = min(points, max(d.cap - state["used"], 0))
        if granted:
            key = f"signin:{acct.member_id}:{d.day}"
            acct.credit("signin", granted, key, at, d.expires["signin"])
            state["used"] += granted
        self.rows.add("signins", SIGNIN, (acct.member_id, d.day, streak, granted, at))

    def purchase(self, acct, rnd, paid_at, payload, state) -> None:
        """POST /api/v1/orders: points at the tier's rate, the lot, growth, maybe an upgrade."""
        day, member_no, k = payload
        d = self.cal[day]
        lines = [_line(rnd) for _ in range(rnd.choice((1, 1, 1, 2, 3)))]
        paid_fen = sum(line["paid_fen"] for line in lines)
        order_no, store = f"LT{member_no}-{k}", rnd.choice(self.stores)[1]
        # earning.purchase_factors from the day's rules, read once (no birthday: none is set)
        tier_pct, campaign_pct = d.purchase_pct[acct.tier.code]
        base = sum(line["paid_fen"] * d.category_pct[line["category"]] for line in lines)
        points = points_of(Factors(base, tier_pct, campaign_pct, PCT))
        now = paid_at + timedelta(seconds=2 + int(88 * rnd.random()))
        fingerprint = pos_fingerprint(order_no, member_no, store, paid_fen, paid_at, lines)
        order = [self.ids["pos_orders"](), order_no, acct.member_id, store, "pos", paid_fen,
                 paid_at, lines, fingerprint, points, 0, 0, now]  # fmt: skip
        lot = None
        if points:
            ref = f"order:{order_no}"
            lot = acct.credit("purchase", points, f"purchase:{order_no}", now,
                              d.expires["purchase"], ref=ref)  # fmt: skip
        acct.add_growth(paid_fen // 100, "purchase", f"growth:{order_no}", paid_at, now, d,
                        pos_order_id=order[0])  # fmt: skip
        later = paid_at + timedelta(days=rnd.randrange(1, 21), hours=rnd.randrange(0, 3))
        if rnd.random() < 0.04 and later < self.cal.now:  # its row is written with the refund
            bisect.insort(state["events"], (later, 4, "refund", (order, lot)), lo=state["next"])
        else:
            self.rows.add("pos_orders", POS_ORDER, tuple(order))

    def refund(self, acct, rnd, now, payload, state) -> None:
        """POST /api/v1/orders/<no>/refunds of all or half of the order (purchases.refund)."""
        order, lot = payload
        order_id, order_no, paid_fen, awarded = order[0], order[1], order[5], order[9]
        refund_fen = paid_fen if rnd.random() < 0.6 else paid_fen // 2
        refund_no = f"{order_no}-R1"
        points = awarded * refund_fen // paid_fen
        if points:
            acct.claw_back(points, f"refund:{refund_no}", now, [lot] if lot else [],
                           ref=f"order:{order_no}", memo="refund")  # fmt: skip
        d = self.cal[(now - self.cal.start(0)).days]
        growth = paid_fen // 100
        acct.add_growth(-(growth * refund_fen // paid_fen), "refund",
                        f"growth:refund:{refund_no}", now, now, d)  # fmt: skip
        acct.undo_refunded_upgrades(order_id, now, d)
        order[10], order[11] = refund_fen, points
        self.rows.add("pos_orders", POS_ORDER, tuple(order))
        body = {"order_no": order_no, "refund_no": refund_no, "refund_fen": refund_fen}
        self.rows.add("pos_refunds", REFUND,
                      (refund_no, order_id, refund_fen, body_hash(body), points, now))  # fmt: skip

    def redeem(self, acct, rnd, at, payload, state) -> None:
        """placing.place of an affordable gift for pickup, handed over a few days later."""
        day, k = payload
        balance = acct.balance(at)
        affordable = [g for g in self.gifts if g[1] <= balance]
        if not affordable:
            return
        gift_id, points = rnd.choice(affordable)
        store_id, store_code = rnd.choice(self.stores)
        order_id = self.ids["orders"]()
        order_no = f"R{self.cal[day].day:%y%m%d}{acct.member_id:09d}{k}"
        acct.debit(points, f"order:{order_no}", at, ref=f"redeem:{order_no}")
        handed = min(at + timedelta(days=rnd.randrange(0, 8), hours=rnd.randrange(1, 6)),
                     self.cal.now - timedelta(minutes=1))  # fmt: skip
        handed = max(handed, at)
        self.rows.add("orders", ORDER, (order_id, order_no, f"{acct.member_id}:history-{k}",
                      acct.member_id, gift_id, 1, points, 0, 0, 0, "pickup", store_id,
                      "completed", f"{acct.member_id:010d}{k:02d}", at, handed))  # fmt: skip
        self.rows.add("order_events", ORDER_EVENT, (order_id, "to_pickup", "", at))
        self.rows.add("order_events", ORDER_EVENT,
                      (order_id, "completed", f"handed over at {store_code}", handed))  # fmt: skip

    def reviews(self, acct, reviews, until) -> list:
        """The review-tiers job on every 1st before `until` (a member above the base tier is
        reviewed just after midnight); the reviews still to come."""
        while reviews and reviews[0][1] + REVIEW_DELAY <= until:
            day, start = reviews.pop(0)
            if acct.tier.rank:
                acct.review(start + REVIEW_DELAY, self.cal[day])
        return reviews


def _count(rnd, weights, scale: float) -> int:
    """How many times something happens: 0, 1, 2 … by `weights`, scaled to the months."""
    base = rnd.choices(range(len(weights)), weights)[0]
    whole, part = divmod(base * scale, 1)
    return int(whole) + (rnd.random() < part)


def pos_fingerprint(order_no, member_no, store, paid_fen, paid_at, lines) -> str:
    """purchases.body_hash of the POS body, with the JSON written out by hand (ASCII only, keys
    sorted, no spaces: the same bytes json.dumps makes, several times faster)."""
    items = ",".join(
        f'{{"category":"{x["category"]}","paid_fen":{x["paid_fen"]},"qty":{x["qty"]},'
        f'"sku":"{x["sku"]}"}}'
        for x in lines
    )
    raw = (
        f'{{"lines":[{items}],"member_no":"{member_no}","order_no":"{order_no}",'
        f'"paid_at":"{paid_at.isoformat()}","paid_fen":{paid_fen},"store_code":"{store}"}}'
    )
    return hashlib.sha256(raw.encode()).hexdigest()


def _line(rnd) -> dict:
    sku, category, fen = rnd.choice(SKUS)
    qty = rnd.choice((1, 1, 1, 2))
    return {"sku": sku, "category": category, "qty": qty, "paid_fen": fen * qty}
