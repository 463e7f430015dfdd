from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

from api.errors import ApiValidationError, FieldError

MAX_OFFSET = 10**12  # past any table, and below the database's integers (a larger OFFSET is a server error)


class Pagination(LimitOffsetPagination):
    """`?limit=&offset=`: absent means the first page of 50; a value that is not a count is a 400 naming it
    (never quietly another page than the one asked for). A limit over 500 gives 500."""

    default_limit = 50
    max_limit = 500

    def get_limit(self, request: Request) -> int:
        raw = request.query_params.get(self.limit_query_param)
        return self.default_limit if raw is None else min(_count(raw, self.limit_query_param, 1), self.max_limit)

    def get_offset(self, request: Request) -> int:
        raw = request.query_params.get(self.offset_query_param)
        return 0 if raw is None else _count(raw, self.offset_query_param, 0)


def _count(raw: str, name: str, least: int) -> int:
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or not least <= int(text) <= MAX_OFFSET:
        raise ApiValidationError([FieldError(name, "invalid", f"Give {name} as a whole number from {least} to "
                                                              f"{MAX_OFFSET}")])
    return int(text)
