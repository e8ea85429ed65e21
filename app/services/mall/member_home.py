"""A member's own bits of the home in one statement: lots, orders, the hero's figures, "for you".

The home kept for every member of a tier is filled from what is the member's own: the open lots
(the balance and each card's affordability), the orders (limits and flash claims), the hero's
figures (growth, today's sign-in) and the signals "for you" ranks by. Each has its statement
(`usage.MEMBER_BITS`, `member_reads.FIGURES`, `recommend.SIGNALS`); here they are one
`UNION ALL`, each row laid out as (part, three instants, seven integers, one text) — so the home
sends one statement after the signed-in user's, whatever the size of the catalogue.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, String, union_all
from sqlalchemy.orm import Session

from app import reads
from app.models.types import UTCDateTime
from app.services.mall import catalog, recommend, usage
from app.services.points import balances, member_center, member_reads

LOTS, ORDERS, FIGURES, SEGMENT, SIGNAL = range(5)  # the parts


def _row(part: int, instants=(), integers=(), text=None) -> list:
    """One branch's columns in the common layout (typed NULLs where a branch has nothing)."""
    texts = () if text is None else (text,)
    return reads.branch_row(
        part, (instants, 3, UTCDateTime), (integers, 7, Integer), (texts, 1, String)
    )


_lots = balances.OPEN_LOTS.selected_columns  # available_at, expires_at, earned_at, remaining
_hero = member_reads.FIGURES.selected_columns  # growth, behaviour used, streak, segment
_segment, _pairs, _popular = recommend.SIGNALS.selects


def _signal(branch) -> list:
    """A SIGNALS branch of (kind, code, gift, other gift, members) in the common layout."""
    return _row(SIGNAL, integers=branch.selected_columns[2:], text=branch.selected_columns[0])


HOME_BITS = reads.baked(
    union_all(
        balances.OPEN_LOTS.with_only_columns(*_row(LOTS, _lots[:3], _lots[3:])),
        usage.USAGE.with_only_columns(*_row(ORDERS, integers=usage.USAGE.selected_columns)),
        member_reads.FIGURES.with_only_columns(*_row(FIGURES, integers=_hero[:3], text=_hero[3])),
        _segment.with_only_columns(*_row(SEGMENT, text=_segment.selected_columns[1])),
        _pairs.with_only_columns(*_signal(_pairs)),
        _popular.with_only_columns(*_signal(_popular)),
    )
)  # fmt: skip


@dataclass(frozen=True)
class HomeBits:
    """What the home fills its holes from: the viewer, the hero's figures, the signals."""

    viewer: catalog.Viewer
    figures: tuple  # member_center.figures_from
    signals: recommend.Signals


def read(session: Session, member, now: datetime) -> HomeBits:
    """The member's bits of the home from one statement (the lots remembered for the request)."""
    params = usage.params(member.id, now) | member_reads.figures_params(member.id, now)
    rows = reads.execute(session, HOME_BITS, params | {"tier": member.tier.code}).all()
    parts = {part: [] for part in range(5)}
    for part, *values in rows:
        parts[part].append(values)
    lots = tuple(tuple(v[:4]) for v in parts[LOTS])
    balances.remember(member.id, balances.Summary(now, lots))
    used = usage.tally(v[3:9] for v in parts[ORDERS])
    figures = member_center.figures_from(parts[FIGURES][0][3:6] + [parts[FIGURES][0][10]])
    signal_rows = [(recommend.OWN_SEGMENT, v[10], 0, 0, 0) for v in parts[SEGMENT]]
    signal_rows += [(v[10], "", v[3], v[4], v[5]) for v in parts[SIGNAL]]
    return HomeBits(
        catalog.viewer(session, member, now, used=used),
        figures,
        recommend.signals_from(member.tier.code, signal_rows),
    )
