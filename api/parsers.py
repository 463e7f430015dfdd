"""The API's request parser: DRF's JSON parser, with absurdly nested JSON refused as a parse error.

Python's json module raises RecursionError (not ValueError) for input nested tens of thousands of levels
deep, which DRF would let through as a server error.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply") from None
