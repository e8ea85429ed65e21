"""Typed SQLAlchemy models; importing this module registers every table."""

from app.models.account import ApiKey, LoginAttempt, Store, User
from app.models.earning import (
    Campaign,
    CategoryMultiplier,
    EarningSetting,
    PosOrder,
    PosRefund,
    SignIn,
)
from app.models.ledger import LedgerEntry, PointLot, PointSource, PointTransaction
from app.models.member import GrowthEvent, Member, Tier, TierChange

__all__ = [
    "ApiKey", "Campaign", "CategoryMultiplier", "EarningSetting", "GrowthEvent", "LedgerEntry",
    "LoginAttempt", "Member", "PointLot", "PointSource", "PointTransaction", "PosOrder",
    "PosRefund", "SignIn", "Store", "Tier", "TierChange", "User",
]
