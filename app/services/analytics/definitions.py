"""One definition of every points figure, as SQL over the append-only transactions.

Each transaction moves "outstanding" (Σ lot remainders − debt) by `points − debt_delta`:
- issued   = credits (earn) net of reversed credits (claw-backs: what was taken plus the debt made);
- consumed = spends (redeem/spend) net of spends returned (reverse);
- expired  = expiries (expire) and clearings (clear).
Debt settlement moves nothing (a lot pays the debt down). So, over any period,
opening outstanding + issued − consumed − expired = closing outstanding, exactly.
A spend returned onto a lot that had already expired counts as returned (consumed goes down: no
gift was given) and then as expired (the lot expires again at once).
"""

from sqlalchemy import case, func

from app.models import PointTransaction as T

ISSUING = ("earn", "clawback")
SPENDING = ("spend", "redeem", "reverse")
EXPIRING = ("expire", "clear")

movement = T.points - T.debt_delta  # the change in outstanding a transaction makes
issued = case((T.kind.in_(ISSUING), movement), else_=0)
consumed = case((T.kind.in_(SPENDING), -movement), else_=0)
expired = case((T.kind.in_(EXPIRING), -movement), else_=0)


def total(expression):
    """SUM of an expression, 0 when there are no rows."""
    return func.coalesce(func.sum(expression), 0)
