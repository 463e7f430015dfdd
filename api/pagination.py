from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    """`?limit=&offset=`; a bad or missing value falls back to the default rather than failing."""

    default_limit = 50
    max_limit = 500
