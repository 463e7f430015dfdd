"""The live pathway board (`/cases/live/`): every baby whose pathway is not finished, by phase.

The phases and what each shows are `pathway.phases` (tested there at their boundaries); the cases come
through `pathway.access` only, so a user sees the babies of their units and no others. The page polls
itself with htmx (`hx-trigger="every 30s"`): a poll gets only the board's fragment, never the whole page.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from pathway import phases
from pathway.access import cases_for
from units.access import Action

PAGE = "pathway/board/live.html"
FRAGMENT = "pathway/board/partials/board.html"
REFRESH_SECONDS = 30


@login_required
@require_GET
def live_board(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    cases = phases.on_board(cases_for(request.user, Action.LIST), now)
    context = {
        "groups": phases.board(cases, now),
        "now": now,
        "refresh_seconds": REFRESH_SECONDS,
        "board_days": phases.BOARD_DAYS,
    }
    # A poll (htmx, targeting the board) gets the fragment; a first visit or a reload the whole page.
    partial = request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == "live-board"
    response = render(request, FRAGMENT if partial else PAGE, context)
    response["Cache-Control"] = "no-store"
    return response
