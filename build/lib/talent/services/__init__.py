"""Use cases. Each takes the session and the acting user, changes objects, writes audit events and flushes;
none commits (talent.db owns the transaction)."""


class ServiceError(Exception):
    """Base for refusals a service reports to its caller (mapped to 4xx by the API and pages)."""

    status = 400

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class InvalidInput(ServiceError):
    status = 422


class Unauthenticated(ServiceError):
    status = 401


class NotAllowed(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409
