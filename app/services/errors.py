"""The base of every domain's errors; each domain keeps its own subclasses next to its rules."""


class DomainError(Exception):
    """A step the domain refuses: `code` says why, `detail` holds what the message shows.

    A subclass may fix its `code` as a class attribute; `str()` of the error is the code."""

    code = "error"

    def __init__(self, code: str | None = None, **detail):
        if code:
            self.code = code
        super().__init__(self.code)
        self.detail = detail
