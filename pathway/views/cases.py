"""Case screens (owned by the screens work)."""

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


case_list = case_create = case_detail = case_section = case_history = case_entered_in_error = _todo
