"""Demo records of the orgs app (run by `seed_demo` after the base demo): 换届 under way for organisations
whose term is expiring or overdue, one approved delay, and party groups in the largest branches."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from dangjian.orgs.models import RENEWAL_ORDER, RenewalStep, RenewalStepKind, Term
from dangjian.orgs.terms import TermStatus, term_status

GROUP_BRANCH_MIN_MEMBERS = 20
STEP_DOCS = {
    RenewalStepKind.REQUEST: "关于换届选举的请示",
    RenewalStepKind.APPROVAL: "关于同意换届选举的批复",
}


def seed(ctx: Any) -> None:
    today = ctx.today
    terms = list(
        Term.objects.filter(is_current=True, committee__organization__dissolved_on__isnull=True)
        .select_related("committee__organization")
        .order_by("committee__organization__code")
    )
    steps: list[RenewalStep] = []
    delayed = False
    for term in terms:
        org = term.committee.organization
        status = term_status(term.effective_expiry, today, elected=org.has_elected_term)
        if status not in (TermStatus.EXPIRING, TermStatus.OVERDUE):
            continue
        if status == TermStatus.OVERDUE and not delayed and (today - term.expires_on).days < 300:
            # One organisation whose superior approved holding the election later (选举条例 第三条).
            term.extended_to = term.expires_on + timedelta(days=300)
            term.extension_reason = f"企业重组，经上级党组织批准延期换届（{org.code}〔{today.year}〕1号）"
            term.save(update_fields=["extended_to", "extension_reason"])
            delayed = True
            continue
        # Up to the candidate review: the election itself is left for the user to record.
        done = ctx.rng.randint(0, 3)
        day = max(term.expires_on - timedelta(days=150), today - timedelta(days=120))
        for kind in RENEWAL_ORDER[:done]:
            day = min(day + timedelta(days=ctx.rng.randint(7, 25)), today)
            steps.append(
                RenewalStep(
                    term=term,
                    kind=kind,
                    done_on=day,
                    doc_number=f"{org.code}〔{day.year}〕{ctx.rng.randint(1, 30)}号"
                    if kind in STEP_DOCS
                    else "",
                    note=STEP_DOCS.get(kind, ""),
                    recorded_by="演示数据",
                )
            )
    RenewalStep.objects.bulk_create(steps)

    ctx.log(f"换届步骤 {len(steps)} 条，延期 {int(delayed)} 个")
