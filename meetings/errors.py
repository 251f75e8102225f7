"""Errors that services raise. Each carries a stable code (for the live protocol and tests) and a
message a person can act on, in their language."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    """`field`: the argument of the service the message is about, when it is about one, so a form
    can show it beside that field rather than above the whole form. `detail`: what a live client needs
    to act on the refusal (sent with the error reply), e.g. the text that is there now."""

    code = "invalid"

    def __init__(
        self, message: str | Promise, *, code: str | None = None, field: str | None = None, detail: dict[str, Any] | None = None
    ) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.detail = detail
        if code:
            self.code = code

    def __str__(self) -> str:
        return str(self.message)


class NotAllowed(ServiceError):
    code = "forbidden"

    def __init__(self, message: str | Promise | None = None, *, code: str | None = None) -> None:
        super().__init__(message or _("You are not allowed to do this."), code=code)


class WrongState(ServiceError):
    code = "wrong_state"
