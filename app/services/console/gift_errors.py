"""The gift console's domain error, shared by its services (gifts, library, stock, codes …)."""


class GiftError(Exception):
    """A gift change that cannot go ahead: `code` says why, `detail` holds what to show."""

    def __init__(self, code: str, **detail):
        super().__init__(code)
        self.code = code
        self.detail = detail
