"""Typed SQLAlchemy models; importing this module registers every table."""

from app.models.account import ApiKey, Store, User, UserSession
from app.models.alerts import Alert, AlertCursor, AlertObservation, AlertSetting, AlertTally
from app.models.catalog import CashRate, FlashEvent, Gift, GiftCode, HomeSection, Shelf
from app.models.console import AuditEntry
from app.models.console_flash import FlashCancellation
from app.models.console_gifts import GiftTemplate, StockMovement
from app.models.console_members import HeldLot, MemberFreeze, PointAdjustment, Shipment
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
from app.models.jobs import JobRun
from app.models.ledger import LedgerEntry, PointLot, PointSource, PointTransaction
from app.models.limits import RateCounter
from app.models.member import GrowthEvent, Member, Tier, TierChange
from app.models.notifications import (
    GiftSubscription,
    Notification,
    NotificationPreference,
    OutboxMessage,
)
from app.models.order import Address, Order, OrderEvent, Payment
from app.models.picks import GiftPair, GiftPopularity, ShelfDaily
from app.models.rollups import PointsDaily, RollupCursor
from app.models.rules import PointClearing, RuleVersion
from app.models.segments import MemberSegment, SegmentTotal
from app.models.tasks import GiftReview, MemberDay, MemberDayPrice, TaskCompletion, TaskRule
from app.models.verification import SmsMessage, VerificationCode

__all__ = [
    "GiftPair",
    "GiftPopularity",
    "ShelfDaily",
    "GiftReview",
    "MemberDay",
    "MemberDayPrice",
    "TaskCompletion",
    "TaskRule",
    "Alert",
    "AlertCursor",
    "AlertObservation",
    "AlertSetting",
    "AlertTally",
    "PointClearing",
    "PointsDaily",
    "RollupCursor",
    "RuleVersion",
    "SegmentTotal",
    "Benefit",
    "BenefitUse",
    "Booking",
    "ServiceSlot",
    "StaffAction",
    "StoreStock",
    "Address",
    "AuditEntry",
    "CashRate",
    "FlashCancellation",
    "FlashEvent",
    "Gift",
    "GiftCode",
    "GiftTemplate",
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
    "GiftSubscription",
    "Notification",
    "NotificationPreference",
    "OutboxMessage",
    "HeldLot",
    "MemberFreeze",
    "MemberSegment",
    "PointAdjustment",
    "Shipment",
    "JobRun",
    "LedgerEntry",
    "Member",
    "PointLot",
    "PointSource",
    "PointTransaction",
    "PosOrder",
    "PosRefund",
    "RateCounter",
    "SignIn",
    "SmsMessage",
    "StockMovement",
    "Store",
    "Tier",
    "TierChange",
    "User",
    "UserSession",
    "VerificationCode",
]
