"""The API's JSON parser: DRF's, with nesting bounded before parsing (foundation/json_limits.py)."""

from __future__ import annotations

import io
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from foundation.json_limits import TooDeep, check_depth


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        body = stream.read() if stream is not None else b""
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        try:
            check_depth(body.decode(encoding))
        except UnicodeDecodeError as error:
            raise ParseError(f"JSON parse error - {error}") from None
        except TooDeep as error:
            raise ParseError(str(error)) from None
        return super().parse(io.BytesIO(body), media_type, parser_context)
