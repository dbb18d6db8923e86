"""Fintoc's error shape, {"error": {"type", "code", "message", "param", "doc_url"}}, as Python exceptions."""

from __future__ import annotations


class FintocError(Exception):
    """Anything that went wrong talking to Fintoc. `retryable` tells a caller whether trying later may help."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        type: str = "api_error",
        code: str | None = None,
        param: str | None = None,
        status: int | None = None,
        doc_url: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.status = status
        self.doc_url = doc_url

    def __str__(self) -> str:
        where = f" (param {self.param})" if self.param else ""
        return f"[{self.status or '-'} {self.type}/{self.code or '-'}] {self.message}{where}"


class FintocAuthenticationError(FintocError):
    """The secret key was missing or wrong (401)."""


class FintocInvalidRequestError(FintocError):
    """Fintoc refused the parameters (400, 404, ...): fix the request, do not retry it."""


class FintocRateLimitError(FintocError):
    retryable = True


class FintocAPIError(FintocError):
    """A 5xx from Fintoc, or a response we could not understand."""

    retryable = True


class FintocConnectionError(FintocError):
    """Fintoc could not be reached in time (connect error or timeout)."""

    retryable = True


def error_from_response(status: int, body: object) -> FintocError:
    payload = body.get("error") if isinstance(body, dict) else None
    if not isinstance(payload, dict):
        payload = {}

    def text(key: str) -> str | None:
        value = payload.get(key)
        return value if isinstance(value, str) else None

    kind = text("type") or ("api_error" if status >= 500 else "invalid_request_error")
    message = text("message") or f"Fintoc answered HTTP {status}"
    fields = dict(type=kind, code=text("code"), param=text("param"), status=status, doc_url=text("doc_url"))
    if status == 401 or kind == "authentication_error":
        return FintocAuthenticationError(message, **fields)
    if status == 429:
        return FintocRateLimitError(message, **fields)
    if status >= 500:
        return FintocAPIError(message, **fields)
    return FintocInvalidRequestError(message, **fields)
