"""疑似雷同记录 pages: the pairs of a year, and two records side by side with the differences marked."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe

from dangjian.accounts.policy import Perm
from dangjian.activities.models import Activity

from .. import access, similarity
from ..forms import SimilarForm
from ..services import similar
from .common import paginate

MAX_DIFF_CHARS = 20_000  # a side-by-side view longer than this is cut (difflib is quadratic at worst)


@access.requires(Perm.INSPECT)
def similar_list(request: HttpRequest) -> HttpResponse:
    form = SimilarForm(request.GET or {"year": timezone.localdate().year, "threshold": 0.8})
    rows = []
    page = query = None
    if form.is_valid():
        year, threshold = form.cleaned_data["year"], form.cleaned_data["threshold"]
        pairs = similar.find(year, threshold)
        page, query = paginate(request, pairs, 50)
        info = similar.describe({p.a for p in page.object_list} | {p.b for p in page.object_list})
        rows = [
            {"pair": p, "a": info[p.a], "b": info[p.b], "same_org": info[p.a].org_id == info[p.b].org_id}
            for p in page.object_list
        ]
    return render(
        request,
        "supervision/similar_list.html",
        {"form": form, "rows": rows, "page": page, "query": query, "page_title": "疑似雷同记录"},
    )


@access.requires(Perm.INSPECT)
def similar_compare(request: HttpRequest, a: int, b: int) -> HttpResponse:
    records = {
        r.pk: r
        for r in Activity.objects.filter(pk__in=[a, b])
        .select_related("organization")
        .prefetch_related("kinds")
    }
    if a not in records or b not in records or a == b:
        raise Http404("未找到该记录")
    left, right = records[a], records[b]
    text_a, text_b = left.minutes[:MAX_DIFF_CHARS], right.minutes[:MAX_DIFF_CHARS]
    html_a, html_b = similarity.diff_html(text_a, text_b)
    norm_a, norm_b = similarity.normalise(left.minutes), similarity.normalise(right.minutes)
    return render(
        request,
        "supervision/similar_compare.html",
        {
            "left": left,
            "right": right,
            "html_a": mark_safe(html_a),  # noqa: S308 - diff_html escapes every character of the texts
            "html_b": mark_safe(html_b),  # noqa: S308
            "similarity": similarity.code_jaccard(
                similarity.shingle_codes(norm_a), similarity.shingle_codes(norm_b)
            ),
            "too_short": min(len(norm_a), len(norm_b)) < similarity.MIN_CHARS,
            "cut": max(len(left.minutes), len(right.minutes)) > MAX_DIFF_CHARS,
            "page_title": "记录比对",
        },
    )
