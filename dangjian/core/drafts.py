"""Form drafts kept on the phone until the server has saved them (issue 19 part 4; static/js/drafts.js).

A form marked `data-draft="<key>"` keeps what is typed in the browser's localStorage, per user and key. Only the
server knows that a save succeeded, so the view that saved says so (`saved(request, key)`): the next page it
leads to carries the key (`<body data-drafts-saved>`, from the site context processor) and the script removes
that draft. A submission that never reached the server (a lost signal) or that the server refused leaves the
draft, marked 未提交, for the next time the form is opened.
"""

from __future__ import annotations

from django.http import HttpRequest

SESSION_KEY = "drafts_saved"


def saved(request: HttpRequest, key: str) -> None:
    keys = list(request.session.get(SESSION_KEY) or [])
    if key not in keys:
        keys.append(key)
    request.session[SESSION_KEY] = keys[-10:]


def take(request: HttpRequest) -> list[str]:
    """The drafts saved since the last full page (not an htmx fragment, which would swallow the news)."""
    if request.headers.get("HX-Request") or SESSION_KEY not in request.session:
        return []
    return [str(k) for k in request.session.pop(SESSION_KEY) or []]
