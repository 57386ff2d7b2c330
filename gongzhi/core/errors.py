"""Errors a use case can raise; the API and pages turn each into a 4xx with this message.

Messages are written in Chinese; ``message`` and ``fields`` hold them in the language active
when the error is raised — the caller's, in a request (core.wording: the catalogue entry, or the
pattern a composed sentence matches) — while ``str(exc)`` keeps the Chinese for logs."""
from django.utils.translation import gettext

from gongzhi.domain import workflow
from gongzhi.domain.calendar import UnknownYear
from gongzhi.domain.coords import BadCoordinates
from gongzhi.domain.routing import EscalationError
from gongzhi.domain.sla import NoLimit

from .wording import translated


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: dict[str, str] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = translated(message)
        self.fields = {k: translated(v) for k, v in (fields or {}).items()}
        if code:
            self.code = code

    def with_fields(self) -> str:
        """The message and each field's words after it in brackets, for a page with one line."""
        return self.message + "".join(gettext("（") + v + gettext("）") for v in self.fields.values() if v)


class Invalid(ServiceError):
    status, code = 422, "invalid"


class NotFound(ServiceError):
    status, code = 404, "not_found"


class Forbidden(ServiceError):
    status, code = 403, "forbidden"


class Conflict(ServiceError):
    status, code = 409, "conflict"


class TooManyRequests(ServiceError):
    """A rate limit (uploads per user): 429 with Retry-After, seconds until it would pass."""

    status, code = 429, "rate_limited"

    def __init__(self, message: str, *, retry_after: int, fields: dict[str, str] | None = None):
        super().__init__(message, fields=fields)
        self.retry_after = retry_after


class Unavailable(ServiceError):
    """Configuration is missing (a calendar year, a default time limit): 503 until an admin fixes it."""

    status, code = 503, "not_configured"


def from_domain(exc: Exception) -> ServiceError:
    if isinstance(exc, ServiceError):
        return exc
    if isinstance(exc, workflow.TransitionError):
        return Conflict(str(exc), code="transition_not_allowed")
    if isinstance(exc, workflow.CapacityError):
        return Forbidden(str(exc))
    if isinstance(exc, workflow.ReasonRequired):
        return Invalid(str(exc), fields={"reason": "必须填写原因"}, code="reason_required")
    if isinstance(exc, EscalationError):
        return Conflict(str(exc), code="escalation_not_possible")
    if isinstance(exc, BadCoordinates):
        return Invalid(str(exc), fields={"lon": str(exc)})
    if isinstance(exc, (UnknownYear, NoLimit)):
        return Unavailable(str(exc))
    raise exc


DOMAIN_ERRORS = (workflow.TransitionError, workflow.CapacityError, workflow.ReasonRequired,
                 EscalationError, BadCoordinates, UnknownYear, NoLimit)
