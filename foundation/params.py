"""Reading a page's query parameters: anything out of range is the visitor's error (a 400), never
a value passed on to the database or to date arithmetic (a 500)."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import HttpRequest


def int_param(request: HttpRequest, name: str, *, default: int, minimum: int, maximum: int) -> int:
    """?name= as a whole number from minimum to maximum; `default` when absent or empty."""
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    # ASCII digits only: int() would also take "٣", "1_000" and " 3 ".
    digits = raw[1:] if raw[:1] == "-" else raw
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 20:
        raise BadRequest(f"{name} must be a whole number.")
    value = int(raw)
    if not minimum <= value <= maximum:
        raise BadRequest(f"{name} must be from {minimum} to {maximum}.")
    return value
