"""Search text that never travels in a URL: NHS numbers must not reach proxy logs, browser history or the
Referer of the next page.

A record list's filter form is posted (with its CSRF token). The view keeps the search text in the user's
session under a random opaque token and redirects (303, so reloading does not post again) to the list with
`?search=<token>` and the other filters, which hold nothing identifying. The token means nothing outside
that session and is forgotten after SEARCH_TOKEN_SECONDS; an old link with the text itself in `?q=` is
turned into a token the same way, so the address bar and history stop showing it.
"""

from __future__ import annotations

import secrets
import time
from typing import Final

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpResponseRedirect, QueryDict

SEARCH_PARAM: Final = "search"
TEXT_PARAM: Final = "q"
SESSION_KEY: Final = "core_searches"
SEARCH_TOKEN_SECONDS: Final = 60 * 60
MAX_SEARCHES: Final = 20  # the newest searches a session keeps (each filter change may make one)
MAX_TEXT: Final = 100
# Form fields never carried into the list's address.
_NOT_FILTERS: Final = frozenset({TEXT_PARAM, SEARCH_PARAM, "csrfmiddlewaretoken", "page"})


def remember(session: SessionBase, text: str) -> str:
    """A new opaque token for the search text, kept in the session for SEARCH_TOKEN_SECONDS."""
    now = time.time()
    searches = {token: entry for token, entry in session.get(SESSION_KEY, {}).items()
                if entry[1] > now}
    token = secrets.token_urlsafe(12)
    searches[token] = (text[:MAX_TEXT], now + SEARCH_TOKEN_SECONDS)
    session[SESSION_KEY] = dict(sorted(searches.items(), key=lambda item: item[1][1])[-MAX_SEARCHES:])
    return token


def recall(session: SessionBase, token: str) -> str | None:
    """The text a token stands for, or None when it is unknown (another session's) or has expired."""
    entry = session.get(SESSION_KEY, {}).get(token)
    if entry is None or entry[1] <= time.time():
        return None
    return str(entry[0])


def redirect_to_list(session: SessionBase, url: str, data: QueryDict) -> HttpResponseRedirect:
    """303 to the list with the posted filters; the search text replaced by a token."""
    query = QueryDict(mutable=True)
    for key in data:
        if key not in _NOT_FILTERS:
            query.setlist(key, [value for value in data.getlist(key) if value != ""])
    text = data.get(TEXT_PARAM, "").strip()
    if text:
        query[SEARCH_PARAM] = remember(session, text)
    encoded = query.urlencode()
    response = HttpResponseRedirect(f"{url}?{encoded}" if encoded else url)
    response.status_code = 303  # the browser follows with a GET, and Back or reload never posts again
    return response


def list_filters(session: SessionBase, params: QueryDict) -> tuple[QueryDict, bool]:
    """The list's filters from its address: the search text put back from its token. Also whether the token
    had expired (or was not this session's), so the page can say the search was dropped."""
    filters = params.copy()
    token = filters.pop(SEARCH_PARAM, [""])[-1]
    if not token:
        return filters, False
    text = recall(session, token)
    if text is None:
        return filters, True
    filters[TEXT_PARAM] = text
    return filters, False
