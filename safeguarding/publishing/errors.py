"""Why a change to a committee report cannot happen; the message says why and what to do next."""

from __future__ import annotations

from safeguarding.core import kernel


class PublishingError(kernel.ServiceError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(PublishingError, kernel.NotAllowed):
    pass


class StaleVersion(PublishingError, kernel.StaleVersion):
    pass
