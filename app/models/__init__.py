"""Typed SQLAlchemy models; importing this module registers every table."""

from app.models.account import ApiKey, LoginAttempt, Store, User
from app.models.catalog import CashRate, FlashEvent, Gift, GiftCode, HomeSection, Shelf
from app.models.counter import (
    Benefit,
    BenefitUse,
    Booking,
    ServiceSlot,
    StaffAction,
    StoreStock,
)
from app.models.earning import (
    Campaign,
    CategoryMultiplier,
    EarningSetting,
    PosOrder,
    PosRefund,
    SignIn,
)
from app.models.ledger import LedgerEntry, PointLot, PointSource, PointTransaction
from app.models.limits import RateCounter
from app.models.member import GrowthEvent, Member, Tier, TierChange
from app.models.order import Address, Order, OrderEvent, Payment

__all__ = [
    "Benefit",
    "BenefitUse",
    "Booking",
    "ServiceSlot",
    "StaffAction",
    "StoreStock",
    "Address",
    "CashRate",
    "FlashEvent",
    "Gift",
    "GiftCode",
    "HomeSection",
    "Order",
    "OrderEvent",
    "Payment",
    "Shelf",
    "ApiKey",
    "Campaign",
    "CategoryMultiplier",
    "EarningSetting",
    "GrowthEvent",
    "LedgerEntry",
    "LoginAttempt",
    "Member",
    "PointLot",
    "PointSource",
    "PointTransaction",
    "PosOrder",
    "PosRefund",
    "RateCounter",
    "SignIn",
    "Store",
    "Tier",
    "TierChange",
    "User",
]
