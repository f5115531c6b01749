"""api.x.ai's error body, `{"code": <gRPC status text>, "error": <message>}`, by HTTP status."""

from __future__ import annotations

#: The `code` api.x.ai puts beside each status (gRPC's canonical texts, as its gateway writes them).
ERROR_CODES = {
    400: "Client specified an invalid argument",
    401: "Unauthenticated",
    403: "The caller does not have permission to execute the specified operation",
    404: "Some requested entity was not found",
    408: "The operation timed out",
    409: "The entity that a client attempted to create already exists",
    413: "Payload too large",
    422: "Client specified an invalid argument",
    429: "Too many requests",
    500: "Internal error",
    502: "Bad gateway",
    503: "Unavailable",
    504: "The operation timed out",
}


class ApiError(Exception):
    """A request api.x.ai refuses: answered with `status` and `error_body(status, message)`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    @property
    def body(self) -> dict:
        return error_body(self.status, self.message)


def error_body(status: int, message: str) -> dict:
    return {"code": ERROR_CODES.get(status, "Unknown error"), "error": message}
