"""The ledger's domain errors (raised by `ledger` and `reversals`, caught as ledger.X)."""


class LedgerError(Exception):
    """Base of the ledger's domain errors."""


class InsufficientPoints(LedgerError):
    """The member's available balance does not cover the debit."""

    def __init__(self, needed: int, available: int):
        super().__init__(f"needs {needed} points, {available} available")
        self.needed, self.available = needed, available
        self.shortfall = needed - available


class AlreadyReversed(LedgerError):
    """The transaction has been reversed before (under another key)."""


class MemberFrozen(LedgerError):
    """The member is frozen (suspected fraud): they spend nothing until the freeze is lifted."""
