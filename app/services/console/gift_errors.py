"""The gift console's domain error, shared by its services (gifts, library, stock, codes …)."""

from app.services.errors import DomainError


class GiftError(DomainError):
    """A gift change that cannot go ahead: `code` says why, `detail` holds what to show."""
