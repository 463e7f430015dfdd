"""Timeline, worklist and temperature screens (owned by the timeline/worklist work)."""

from django.http import HttpRequest, HttpResponse


def _todo(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise NotImplementedError


worklist = temperature_add = temperature_remove = case_timeline = _todo
