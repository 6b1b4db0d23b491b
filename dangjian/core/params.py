"""Query parameters: parse one or answer 400 with a Chinese message.

A bad `?year=abc` is the caller's mistake, not ours: it must neither crash (500) nor be silently replaced by a
default that shows the wrong year's data under the right-looking page. An absent or empty parameter takes the
default; anything present but unreadable raises `BadRequest`, which core.views.bad_request renders as 400.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import BadRequest
from django.http import HttpRequest
from django.utils import timezone

from .dates import DateParseError, parse_date

MIN_YEAR, MAX_YEAR = 2000, 2100


def _raw(request: HttpRequest, name: str) -> str:
    return request.GET.get(name, "").strip()


def int_param(
    request: HttpRequest, name: str, default: int | None, *, min: int | None = None, max: int | None = None
) -> int | None:
    """`?name=` as an int in [min, max]; the default when absent or empty; 400 otherwise."""
    raw = _raw(request, name)
    if not raw:
        return default
    if not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 12:
        raise BadRequest(f"参数“{name}”应为整数")
    value = int(raw)
    if (min is not None and value < min) or (max is not None and value > max):
        lo = "" if min is None else str(min)
        hi = "" if max is None else str(max)
        raise BadRequest(f"参数“{name}”应在 {lo}–{hi} 之间")
    return value


def year_param(request: HttpRequest, default: int | None = None, *, name: str = "year") -> int:
    """`?year=` as a four-digit year in 2000–2100; the default (this local year unless given) when absent."""
    year = int_param(request, name, None, min=MIN_YEAR, max=MAX_YEAR)
    if year is not None:
        return year
    return default if default is not None else timezone.localdate().year


def optional_year_param(request: HttpRequest, name: str = "year") -> int | None:
    """A year filter: None when absent (no filter), 400 when present but not a year in range."""
    return int_param(request, name, None, min=MIN_YEAR, max=MAX_YEAR)


def page_param(request: HttpRequest, name: str = "page") -> int:
    """`?page=` as a page number from 1; 1 when absent. Paginator.get_page clamps a number past the end."""
    page = int_param(request, name, 1, min=1)
    assert page is not None
    return page


def choice_param(request: HttpRequest, name: str, choices: Iterable[str], default: str = "") -> str:
    """`?name=` as one of `choices`; the default when absent or empty; 400 for any other value."""
    raw = _raw(request, name)
    if not raw:
        return default
    if raw not in set(choices):
        raise BadRequest(f"参数“{name}”的取值无效")
    return raw


def date_param(request: HttpRequest, name: str, default: date | None = None) -> date | None:
    """`?name=` as a date (2025-07-01, 2025/7/1, 2025年7月1日 …); the default when absent; 400 otherwise."""
    raw = _raw(request, name)
    if not raw:
        return default
    try:
        return parse_date(raw[:40]) or default
    except DateParseError as exc:
        raise BadRequest(f"参数“{name}”：{exc}")
