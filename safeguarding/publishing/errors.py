"""Why a change to a committee report cannot happen: the kernel's refusals (the API answers 403, 409),
under the names this app's importers use."""

from __future__ import annotations

from safeguarding.core import kernel

PublishingError = kernel.ServiceError
NotAllowed = kernel.NotAllowed
StaleVersion = kernel.StaleVersion

__all__ = ["NotAllowed", "PublishingError", "StaleVersion"]
