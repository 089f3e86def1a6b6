"""Errors that end a user's request with a message meant for them."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a refusal, shown to the user as an ephemeral message.

    Args:
        message: What is wrong and how to fix it.
        usage: The usage line of the command, shown last.
        echo: What the user typed, repeated so nothing they wrote is lost.
        field: For modal input, the block id the error belongs to.
    """

    def __init__(
        self,
        message: str,
        *,
        usage: str | None = None,
        echo: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage
        self.echo = echo
        self.field = field

    def with_context(self, *, usage: str | None = None, echo: str | None = None) -> UserError:
        """Fill in the usage line and echo when the raiser did not know them."""
        if self.usage is None:
            self.usage = usage
        if self.echo is None:
            self.echo = echo
        return self


class PermissionDenied(UserError):
    """The caller may not do this; the message says who can."""


class AlreadyRecorded(UserError):
    """The same thing was recorded moments ago (the user repeated a slow command)."""


class AmbiguousProgram(UserError):
    """A short name matches several programs; `keys` are theirs, in order."""

    def __init__(self, ref: str, keys: list[str]) -> None:
        listed = " or ".join(f"`{key}`" for key in keys)
        super().__init__(f"“{ref}” could be several programs. Did you mean {listed}?")
        self.ref, self.keys = ref, keys
