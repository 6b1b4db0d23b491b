"""Writes of 述职评议, 民主评议 results and 两优一先, audited; the dossier of a secretary's year."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts import policy
from dangjian.accounts.models import User
from dangjian.accounts.policy import Perm
from dangjian.accounts.typing import Actor
from dangjian.activities.models import Activity
from dangjian.compliance import services as compliance
from dangjian.core import actions, audit, events
from dangjian.core.actions import Refusal
from dangjian.core.asof import year_as_of
from dangjian.core.models import AuditAction
from dangjian.core.periods import Period
from dangjian.members.models import Member
from dangjian.orgs.models import Organization, Post, PostTitle
from dangjian.study.services import yearly_progress
from dangjian.supervision.models import Rectification, RectificationStatus

from . import rules
from .models import (
    Ballot,
    Honor,
    HonorCategory,
    HonorRound,
    MemberGrade,
    Nomination,
    NominationStatus,
    Objection,
    ReviewReport,
    ReviewRound,
    VoterRoll,
)

# The named audit events of this app (core.audit_events; registered in HonorsConfig.ready).
EVENTS = {
    "reviewreport.submit": "提交述职报告",
    "reviewround.open": "开启述职评议测评",
    "reviewround.close": "结束述职评议测评",
    "reviewround.publish": "公布述职评议测评结果",
    "reviewround.rules": "修改述职评议评定规则或测评人名单",
    "nomination.publicity": "评先推荐对象公示",
    "nomination.cancel": "公示异议属实，取消推荐",
    "nomination.award": "评先推荐对象表彰",
    "objection.handle": "核查处理公示异议",
    "honorround.award": "两优一先评选表彰",
}

# What this app tells people (core.events; registered in HonorsConfig.ready, turned into 站内通知 by notify).
NOTICE_EVENTS = {
    "review.slot": "述职安排",
    "review.open": "测评开启",
    "nomination.publicity": "评先公示",
}


def _accounts(id_numbers: Iterable[str]) -> list[User]:
    """The active login accounts of the members with these ID numbers (a secretary, a nominee)."""
    wanted = [n for n in id_numbers if n]
    if not wanted:
        return []
    return list(User.objects.filter(is_active=True, member__id_number__in=wanted))


def _tell(
    name: str,
    *,
    title: str,
    key: str,
    url: str,
    body: str = "",
    people: Iterable[User] = (),
    org: Organization | None = None,
    actor: Actor,
) -> None:
    """One event to the people concerned: the administrators of `org` and the named accounts. The pages behind
    `url` are staff pages, so an account that may not open them (a member) is told without the link."""
    people = list(people)
    staff = [u for u in people if policy.can(u, Perm.VIEW_STAFF)]
    events.emit(
        name,
        title=title,
        key=key,
        body=body,
        url=url,
        recipients=staff,
        org=org,
        audience="org_admins" if org is not None else "",
        actor=actor,
    )
    others = [u for u in people if u not in staff]
    if others:
        events.emit(name, title=title, key=f"{key}:own", body=body, recipients=others, actor=actor)


# ----------------------------------------------------------------------------------------- 述职评议


@transaction.atomic
def create_review_round(
    year: int, title: str, *, actor: Actor, meeting_on: date | None = None
) -> ReviewRound:
    """A round with one report slot per branch-level or higher organisation that has a secretary on record."""
    if ReviewRound.objects.filter(year=year).exists():
        raise Refusal(f"{year} 年度的述职评议已经创建")
    rnd = ReviewRound.objects.create(year=year, title=title, meeting_on=meeting_on)
    # The evaluators by default: every active account that reads the staff reviews (policy VIEW_STAFF).
    rnd.evaluators.set(User.objects.filter(is_active=True, role__in=policy.roles_with(Perm.VIEW_STAFF)))
    secretaries = {
        p.term.committee.organization_id: p
        for p in Post.objects.filter(
            term__is_current=True, ended_on__isnull=True, title=PostTitle.SECRETARY
        ).select_related("term__committee")
    }
    reports = []
    for org in Organization.objects.filter(dissolved_on__isnull=True).exclude(kind="dangzu").order_by("path"):
        post = secretaries.get(org.id)
        if post is not None:
            reports.append(
                ReviewReport(
                    round=rnd,
                    organization=org,
                    secretary_name=post.person_name,
                    secretary_id_number=post.id_number,
                )
            )
    ReviewReport.objects.bulk_create(reports)
    audit.log_create(rnd, actor=actor, note=f"述职报告 {len(reports)} 份")
    tell_slots(rnd, actor=actor)
    return rnd


def tell_slots(rnd: ReviewRound, *, actor: Actor) -> None:
    """述职安排: each organisation's admins and its secretary (their own account, when they have one) learn that
    the secretary reports in this round, and when. Once per round and organisation; a round recorded after its
    meeting (a past year entered late) arranges nothing and tells nobody."""
    if rnd.meeting_on is not None and rnd.meeting_on < timezone.localdate():
        return
    when = f"述职评议会议定于 {rnd.meeting_on:%Y年%m月%d日}召开，" if rnd.meeting_on else ""
    reports = list(rnd.reports.select_related("organization"))
    accounts: dict[str, list[User]] = {}
    for u in _accounts(r.secretary_id_number for r in reports):
        accounts.setdefault(u.member.id_number, []).append(u)
    for r in reports:
        _tell(
            "review.slot",
            title=f"{rnd.title}：请{r.organization.name}书记{r.secretary_name}述职",
            body=f"{when}请在会前提交述职报告（可填写或上传文件）。",
            url=reverse("honors:report", args=[r.pk]),
            key=f"{rnd.pk}:{r.organization_id}",
            people=accounts.get(r.secretary_id_number, []),
            org=r.organization,
            actor=actor,
        )


@transaction.atomic
def submit_report(
    report: ReviewReport, *, text: str, upload=None, file_name: str = "", actor: Actor
) -> ReviewReport:
    if report.round.is_closed:
        raise Refusal("本年度述职评议已结束，不能再修改述职报告")
    if not text.strip() and not upload and not report.file:
        raise Refusal("请填写述职报告或上传报告文件")
    before = audit.snapshot(report)
    report.text = text
    if upload is not None:
        report.file = upload
        report.file_name = (file_name or getattr(upload, "name", ""))[:200]
    report.submitted_at = timezone.now()
    report.save()
    audit.log_update(report, before, actor=actor, note="提交述职报告", event="reviewreport.submit")
    return report


@transaction.atomic
def set_voting(rnd: ReviewRound, *, open_: bool, actor: Actor) -> None:
    before = audit.snapshot(rnd)
    if open_:
        if rnd.is_closed:
            raise Refusal("测评已结束，不能重新开启")
        rnd.is_open = True
    else:
        rnd.is_open, rnd.is_closed = False, True
    rnd.save()
    audit.log_update(
        rnd,
        before,
        actor=actor,
        note="开启测评" if open_ else "结束测评",
        event="reviewround.open" if open_ else "reviewround.close",
    )
    if open_:
        # every evaluator is told, once per round (opening it again tells nobody twice)
        _tell(
            "review.open",
            title=f"{rnd.title}测评已开启，请投票",
            body="测评匿名进行：只记录是否已投票，不记录评价内容。请对每一位述职人作出评价。",
            url=reverse("honors:vote", args=[rnd.pk]),
            key=str(rnd.pk),
            people=rnd.evaluators.filter(is_active=True),
            actor=actor,
        )


@transaction.atomic
def publish_results(rnd: ReviewRound, *, actor: Actor) -> None:
    """Make the tallies visible; only a closed round (no ballot can be added any more) can be published."""
    if not rnd.is_closed:
        raise Refusal("测评结束后才能公布结果")
    if rnd.is_published:
        return
    before = audit.snapshot(rnd)
    rnd.is_published = True
    rnd.save(update_fields=["is_published"])
    audit.log_update(rnd, before, actor=actor, note="公布测评结果", event="reviewround.publish")


@transaction.atomic
def update_review_rules(
    rnd: ReviewRound,
    *,
    good_share: int,
    fairly_good_share: int,
    poor_share: int,
    evaluators: Iterable[User],
    actor: Actor,
) -> ReviewRound:
    """The grading thresholds and the list of evaluators, fixed before voting ends."""
    row = actions.lock(ReviewRound, rnd.pk)
    if row.is_closed:
        raise Refusal("测评已结束，评定规则和测评人名单不能再修改")
    before = audit.snapshot(row)
    before_evaluators = sorted(row.evaluators.values_list("pk", flat=True))
    row.good_share, row.fairly_good_share, row.poor_share = good_share, fairly_good_share, poor_share
    row.save()
    after_evaluators = sorted(u.pk for u in evaluators)
    row.evaluators.set(after_evaluators)
    changes = audit.diff(before, audit.snapshot(row))
    if before_evaluators != after_evaluators:
        changes["evaluators"] = [before_evaluators, after_evaluators]
    if changes:
        audit.record(
            "reviewround.rules", actor=actor, instance=row, changes=changes, note="修改评定规则或测评人名单"
        )
    return row


def results_visible(rnd: ReviewRound) -> bool:
    return rnd.is_closed and rnd.is_published


def can_vote(rnd: ReviewRound, user: User) -> bool:
    return (
        rnd.is_open
        and rnd.evaluators.filter(pk=user.pk).exists()
        and not VoterRoll.objects.filter(round=rnd, voter=user).exists()
    )


@transaction.atomic
def vote(rnd: ReviewRound, user: User, grades: dict[int, str]) -> None:
    """Record one evaluator's ballots. The roll says who voted; the ballots say nothing of the voter."""
    if not rnd.is_open:
        raise Refusal("测评未开启或已结束")
    if not rnd.evaluators.filter(pk=user.pk).exists():
        raise PermissionDenied("您不在本次测评人名单中")
    report_ids = set(rnd.reports.values_list("id", flat=True))
    if set(grades) != report_ids:
        raise Refusal("请对每一位述职人作出评价后再提交")
    if any(g not in rules.GRADES for g in grades.values()):
        raise Refusal("评价只能是 好、较好、一般、差")
    try:
        with transaction.atomic():
            VoterRoll.objects.create(round=rnd, voter=user)
    except IntegrityError:
        raise Refusal("您已经投过票，不能重复投票")
    ballots = [Ballot(report_id=rid, grade=g) for rid, g in grades.items()]
    random.SystemRandom().shuffle(ballots)
    Ballot.objects.bulk_create(ballots)
    # The audit says that this person voted, never how.
    audit.record(
        AuditAction.OTHER,
        actor=user,
        model="honors.reviewround",
        object_id=str(rnd.pk),
        object_repr=str(rnd),
        note="提交述职评议测评票（匿名，不记录评价内容）",
    )


@dataclass
class ReportResult:
    report: ReviewReport
    tally: rules.Tally
    grade: str | None


def results(rnd: ReviewRound) -> list[ReportResult]:
    """The tallies of a published round; nothing before (the callers show nothing then)."""
    if not results_visible(rnd):
        return []
    counts: dict[int, Counter] = {}
    for row in Ballot.objects.filter(report__round=rnd).values("report_id", "grade").annotate(n=Count("id")):
        counts.setdefault(row["report_id"], Counter())[row["grade"]] = row["n"]
    out = []
    for report in rnd.reports.select_related("organization"):
        t = rules.tally(counts.get(report.id, Counter()).elements())
        out.append(
            ReportResult(
                report,
                t,
                rules.overall_grade(
                    t,
                    good_share=rnd.good_share,
                    fairly_good_share=rnd.fairly_good_share,
                    poor_share=rnd.poor_share,
                ),
            )
        )
    return out


@dataclass
class Dossier:
    activities_by_kind: list[tuple[str, int]] = field(default_factory=list)
    activities_total: int = 0
    compliance: dict[str, int] = field(default_factory=dict)
    missed: list[str] = field(default_factory=list)
    talk_coverage: tuple[int, int] | None = None
    study_hours: float | None = None
    study_required: float | None = None
    rectifications: dict[str, int] = field(default_factory=dict)


def dossier(report: ReviewReport) -> Dossier:
    """The secretary's year in numbers, compiled from what the system already holds."""
    org, year = report.organization, report.round.year
    d = Dossier()
    rows = (
        Activity.objects.filter(organization=org, is_deleted=False, date__year=year)
        .values("kinds__name", "kinds__sort")
        .annotate(n=Count("id", distinct=True))
        .order_by("kinds__sort")
    )
    d.activities_by_kind = [(r["kinds__name"], r["n"]) for r in rows if r["kinds__name"]]
    d.activities_total = Activity.objects.filter(organization=org, is_deleted=False, date__year=year).count()
    res = compliance.evaluate(Period.whole_year(year), orgs=Organization.objects.filter(pk=org.pk))
    d.compliance = {str(k): v for k, v in Counter(r.status for r in res).items()}
    d.missed = sorted({f"{r.kind_name}（{r.period}）" for r in res if r.status == "未达标"})
    talk = [r for r in res if r.requirement_key == "heart_talk"]
    if talk:
        d.talk_coverage = (talk[0].done, talk[0].required)
    member = (
        Member.objects.filter(id_number=report.secretary_id_number).first()
        if report.secretary_id_number
        else None
    )
    if member is not None:
        p = yearly_progress(year, Member.objects.filter(pk=member.pk))[0].progress
        d.study_hours, d.study_required = float(p.hours), float(p.required)
    end = year_as_of(year)  # the year's figures as of its end: a 销号 in the next year does not count here
    qs = Rectification.objects.filter(organization=org, created_at__year=year)
    closed = qs.filter(status=RectificationStatus.CLOSED, closed_at__date__lte=end)
    d.rectifications = {"total": qs.count(), "closed": closed.count()}
    return d


# ----------------------------------------------------------------------------------------- 民主评议党员


@transaction.atomic
def set_grades(
    org: Organization, year: int, grades: dict[int, str], *, actor: Actor, notes: dict[int, str] | None = None
) -> int:
    members = {m.id: m for m in Member.objects.filter(organization=org, pk__in=grades)}
    existing = {g.member_id: g for g in MemberGrade.objects.filter(year=year, member_id__in=members)}
    changed = 0
    for member_id, grade in grades.items():
        if member_id not in members:
            raise Refusal("只能登记本支部党员的评议结果")
        note = (notes or {}).get(member_id, "")
        old = existing.get(member_id)
        if not grade:
            continue
        if old is None:
            g = MemberGrade.objects.create(
                member_id=member_id,
                year=year,
                grade=grade,
                note=note,
                organization=org,
                recorded_by=audit.actor_label(actor),
            )
            audit.log_create(g, actor=actor)
            changed += 1
        elif old.grade != grade or old.note != note:
            before = audit.snapshot(old)
            old.grade, old.note, old.recorded_by = grade, note, audit.actor_label(actor)
            old.save()
            audit.log_update(old, before, actor=actor)
            changed += 1
    return changed


# ----------------------------------------------------------------------------------------- 两优一先


@transaction.atomic
def create_honor_round(data: Mapping[str, Any], *, actor: Actor) -> HonorRound:
    """A 两优一先 selection: its year, nomination window, publicity days and quota note."""
    if data["closes_on"] < data["opens_on"]:
        raise Refusal("推荐截止日期不能早于开始日期", field="closes_on")
    return actions.create(HonorRound, data, actor=actor, event="honorround.create")


def failing_orgs(year: int) -> set[int]:
    return compliance.failing_org_ids(Period.whole_year(year - 1)) | compliance.failing_org_ids(
        Period.whole_year(year)
    )


def check_nomination(
    rnd: HonorRound, category: str, member: Member | None, org: Organization
) -> tuple[list[str], list[str]]:
    is_member = category in (HonorCategory.MEMBER, HonorCategory.WORKER)
    grades: tuple[str, ...] = ()
    if member is not None:
        grades = tuple(
            MemberGrade.objects.filter(member=member, year__in=[rnd.year - 1, rnd.year]).values_list(
                "grade", flat=True
            )
        )
    facts = rules.NomineeFacts(
        category=category,
        is_member_nomination=is_member,
        is_probationary=bool(member and member.is_probationary),
        is_current=bool(member and member.status == "正常"),
        grades=grades,
        org_failing=(not is_member) and org.id in failing_orgs(rnd.year),
    )
    problems, flags = rules.eligibility(facts)
    if is_member and member is None:
        problems.append("请选择被推荐的党员")
    return problems, flags


@transaction.atomic
def nominate(
    rnd: HonorRound,
    *,
    category: str,
    org: Organization,
    member: Member | None,
    deeds: str,
    actor: Actor,
    today: date | None = None,
    bureau: bool = False,
) -> Nomination:
    today = today or timezone.localdate()
    if not bureau and not (rnd.opens_on <= today <= rnd.closes_on):
        raise Refusal(f"推荐时间为 {rnd.opens_on:%Y-%m-%d} 至 {rnd.closes_on:%Y-%m-%d}，当前不在推荐期内")
    if category == HonorCategory.ORG:
        member = None
    problems, flags = check_nomination(rnd, category, member, org)
    if problems:
        raise Refusal("；".join(problems))
    if len(deeds.strip()) < 20:
        raise Refusal("主要事迹请不少于 20 字")
    dup = Nomination.objects.filter(round=rnd, category=category, organization=org, member=member).exclude(
        status=NominationStatus.REJECTED
    )
    if dup.exists():
        raise Refusal("已推荐过该对象")
    n = Nomination.objects.create(
        round=rnd,
        category=category,
        organization=org,
        member=member,
        deeds=deeds,
        flags=flags,
        nominated_by=audit.actor_label(actor),
    )
    audit.log_create(n, actor=actor)
    return n


STALE_NOMINATION = "该推荐已被他人处理（版本已变化）；请刷新页面，核对最新状态后再操作"


@transaction.atomic
def review(
    n: Nomination, *, approve: bool, comment: str, actor: Actor, expected_version: Any = None
) -> Nomination:
    """审核. `expected_version` is the version the reviewer saw: a second reviewer acting on the same copy is
    refused (Stale) instead of moving the nomination again."""
    n = actions.lock(Nomination, n.pk, expected_version=expected_version, message=STALE_NOMINATION)
    target = NominationStatus.APPROVED if approve else NominationStatus.RETURNED
    if not rules.can_move(n.status, target):
        raise Refusal(f"当前状态“{n.get_status_display()}”不能{'通过' if approve else '退回'}")
    if not approve and not comment.strip():
        raise Refusal("退回时请填写退回意见")
    before = audit.snapshot(n)
    n.status, n.review_comment = target, comment
    actions.save_versioned(
        n,
        expected_version=None,
        before=before,
        locked=True,
        actor=actor,
        event="nomination.approve" if approve else "nomination.return",
    )
    return n


@transaction.atomic
def resubmit(n: Nomination, *, deeds: str, actor: Actor, expected_version: Any = None) -> Nomination:
    n = actions.lock(Nomination, n.pk, expected_version=expected_version, message=STALE_NOMINATION)
    if not rules.can_move(n.status, NominationStatus.SUBMITTED):
        raise Refusal("只有被退回的推荐可以修改后重新提交")
    before = audit.snapshot(n)
    n.deeds, n.status = deeds, NominationStatus.SUBMITTED
    actions.save_versioned(
        n,
        expected_version=None,
        before=before,
        locked=True,
        actor=actor,
        event="nomination.resubmit",
        note="修改后重新提交",
    )
    return n


@transaction.atomic
def start_publicity(rnd: HonorRound, *, actor: Actor, today: date | None = None) -> int:
    today = today or timezone.localdate()
    until = rules.working_days_after(today, rnd.publicity_days)
    qs = rnd.nominations.filter(status=NominationStatus.APPROVED).select_related("member", "organization")
    count = 0
    for n in qs:
        before = audit.snapshot(n)
        n.status, n.publicity_from, n.publicity_until = NominationStatus.PUBLICITY, today, until
        n.save()
        audit.log_update(
            n,
            before,
            actor=actor,
            note=f"公示 {rnd.publicity_days} 个工作日，至 {until:%Y-%m-%d}",
            event="nomination.publicity",
        )
        # the nominee (their own account) and the nominating organisation's admins
        _tell(
            "nomination.publicity",
            title=f"{rnd.title}：{n.nominee_name}（{n.category}）进入公示",
            body=f"公示期 {today:%Y年%m月%d日} 至 {until:%Y年%m月%d日}，共 {rnd.publicity_days} 个工作日。",
            url=reverse("honors:nomination", args=[n.pk]),
            key=f"{n.pk}:{today:%Y-%m-%d}",
            people=_accounts([n.member.id_number]) if n.member is not None else [],
            org=n.organization,
            actor=actor,
        )
        count += 1
    return count


@transaction.atomic
def record_objection(n: Nomination, *, received_on: date, content: str, actor: Actor) -> Objection:
    if n.status != NominationStatus.PUBLICITY:
        raise Refusal("只有公示中的推荐对象可以登记异议")
    o = Objection.objects.create(
        nomination=n, received_on=received_on, content=content, recorded_by=audit.actor_label(actor)
    )
    audit.log_create(o, actor=actor)
    return o


@transaction.atomic
def handle_objection(o: Objection, *, upheld: bool, handling: str, actor: Actor) -> None:
    before = audit.snapshot(o)
    o.upheld, o.handling = upheld, handling
    o.save()
    audit.log_update(o, before, actor=actor, event="objection.handle")
    if upheld:
        n = o.nomination
        nb = audit.snapshot(n)
        n.status = NominationStatus.REJECTED
        n.save()
        audit.log_update(n, nb, actor=actor, note="公示异议属实，取消推荐", event="nomination.cancel")


@transaction.atomic
def award(
    rnd: HonorRound, *, actor: Actor, awarded_on: date | None = None, awarded_by: str = "中共x商务局党组"
) -> int:
    today = awarded_on or timezone.localdate()
    made = 0
    for n in rnd.nominations.filter(status=NominationStatus.PUBLICITY).select_related(
        "member", "organization"
    ):
        if n.publicity_until and today <= n.publicity_until:
            raise Refusal(f"{n.nominee_name} 的公示期至 {n.publicity_until:%Y-%m-%d}，公示期满后方可表彰")
        if n.objections.filter(upheld__isnull=True).exists():
            raise Refusal(f"{n.nominee_name} 有尚未核查处理的公示异议")
        before = audit.snapshot(n)
        n.status = NominationStatus.AWARDED
        n.save()
        audit.log_update(n, before, actor=actor, note="表彰", event="nomination.award")
        h = Honor.objects.create(
            category=n.category,
            title=n.category,
            level="本局",
            member=n.member,
            organization=n.organization,
            awarded_on=today,
            awarded_by=awarded_by,
            nomination=n,
        )
        audit.log_create(h, actor=actor)
        made += 1
    before = audit.snapshot(rnd)
    rnd.awarded_on = today
    rnd.save(update_fields=["awarded_on"])
    audit.log_update(rnd, before, actor=actor, note=f"表彰 {made} 个", event="honorround.award")
    return made


@transaction.atomic
def add_external_honor(
    *,
    title: str,
    category: str,
    level: str,
    awarded_on: date,
    awarded_by: str,
    member: Member | None,
    org: Organization | None,
    note: str,
    actor: Actor,
) -> Honor:
    if member is None and org is None:
        raise Refusal("请选择获得荣誉的党员或党组织")
    h = Honor.objects.create(
        title=title,
        category=category,
        level=level,
        awarded_on=awarded_on,
        awarded_by=awarded_by,
        member=member,
        organization=org if member is None else (org or member.organization),
        note=note,
    )
    audit.log_create(h, actor=actor)
    return h


def honors_of_member(member: Member) -> list[Honor]:
    return list(Honor.objects.filter(member=member).order_by("-awarded_on"))


def honors_of_org(org: Organization) -> list[Honor]:
    return list(Honor.objects.filter(organization=org, member__isnull=True).order_by("-awarded_on"))
