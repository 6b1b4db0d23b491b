"""Demo records of the duties app (`dangjian seed_demo`): the leading group, the 党组's two responsibility
lists (主体责任清单 and one 一岗双责 list per leadership member), branch lists, the year's 工作要点 (and last
year's, assessed), the monthly notices of this year with realistic 签收 / 反馈 (some late, some missing),
brand cases (one 典型) and the rule library (one rule in two versions). Deterministic for a seed; bulk-created.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from dangjian.accounts.roles import Role
from dangjian.core import audit
from dangjian.core.uploads import PNG
from dangjian.duties.cadence import occurrences, year_range
from dangjian.duties.files import random_name
from dangjian.duties.models import (
    BrandCase,
    CasePhoto,
    CaseReview,
    Duty,
    DutyList,
    DutyListKind,
    DutyReport,
    FirstResponsible,
    GroupRole,
    LeadingGroup,
    LeadingGroupMember,
    ListStatus,
    Notice,
    NoticeKind,
    NoticeStatus,
    NoticeTarget,
    NoticeTemplate,
    RuleCitation,
    RuleDocument,
    RuleVersion,
    TargetMode,
    WorkPlan,
    WorkPlanItem,
    WorkPlanProgress,
)
from dangjian.duties.workflow import CaseStatus
from dangjian.orgs.models import BRANCH_KINDS, Organization, Post, PostTitle, Unit

from .content import (
    BRANCH_ITEMS,
    CASES,
    DUAL_ITEMS,
    GIVEN,
    MAIN_ITEMS,
    PLAN_ITEMS,
    RULES,
    SURNAMES,
    TEMPLATE_BODY,
    TERM_RULE_V1,
    TERM_RULE_V2,
)


def _name(ctx: Any) -> str:
    return ctx.rng.choice(SURNAMES) + ctx.rng.choice(GIVEN)


def _at(day: date, hour: int = 10) -> datetime:
    """A local time on `day`; the minute varies with the day so that lists do not look machine-made."""
    return timezone.make_aware(datetime.combine(day, time(hour, (day.toordinal() * 7) % 60)))


def _png(rgb: tuple[int, int, int], w: int = 240, h: int = 150) -> bytes:
    """A real, small, solid-colour PNG (so the showcase has pictures without shipping image files)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    # a vertical gradient towards white, with a gold band: recognisable, and tiny once compressed
    rows = []
    for y in range(h):
        k = y / (h - 1)
        c = (255, 215, 94) if h * 0.62 < y < h * 0.7 else tuple(int(v + (255 - v) * k * 0.55) for v in rgb)
        rows.append(b"\x00" + bytes(c) * w)
    raw = zlib.compress(b"".join(rows), 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", raw)
        + chunk(b"IEND", b"")
    )


def seed(ctx: Any) -> None:
    root = Organization.objects.filter(depth=1).order_by("path").first()
    if root is None or DutyList.objects.exists():
        return
    from dangjian.accounts.models import User

    bureau_user = User.objects.filter(role=Role.BUREAU_ADMIN, is_active=True).order_by("id").first()
    org_admins = list(
        User.objects.filter(role=Role.ORG_ADMIN, is_active=True).select_related("organization").order_by("id")
    )
    member_user = (
        User.objects.filter(role=Role.MEMBER, is_active=True).select_related("member").order_by("id").first()
    )
    bureau_name = root.name.removeprefix("中共").removesuffix("党组") or root.name
    today = ctx.today
    year = today.year
    live = Organization.objects.filter(dissolved_on__isnull=True).exclude(pk=root.pk).order_by("path")
    branches = [o for o in live if o.kind in BRANCH_KINDS]
    organ = next((o for o in live if o.kind == "organ_committee"), None) or root

    secretary = _secretary_name(root) or _name(ctx)
    leaders = _leading_group(ctx, root, bureau_name, secretary, bureau_user, year)
    lists = _lists(
        ctx, root, organ, bureau_name, leaders, branches, bureau_user, org_admins, member_user, year
    )
    reports = _reports(ctx, lists, today)
    plans = _plans(ctx, root, organ, branches, bureau_name, today)
    notices = _notices(ctx, root, branches, live, bureau_name, bureau_user, org_admins, today)
    cases = _cases(ctx, branches, bureau_user, org_admins, today)
    rules = _rules(ctx, root, bureau_name, bureau_user, today)
    audit.record(
        audit.AuditAction.IMPORT,
        actor_name="seed_demo",
        note=f"演示数据（责任落实）：清单{len(lists)}份、落实报告{reports}条、工作要点{plans}项、通知{notices}份、品牌案例{cases}个、制度{rules}项",
    )
    ctx.log(f"责任落实：{len(lists)} 份责任清单，{notices} 份通知，{cases} 个品牌案例，{rules} 项制度")


def _secretary_name(org: Organization) -> str | None:
    p = (
        Post.objects.filter(
            term__committee__organization=org,
            term__is_current=True,
            title__in=[PostTitle.DANGZU_SECRETARY, PostTitle.SECRETARY],
        )
        .order_by("sort", "id")
        .first()
    )
    return p.person_name if p else None


def _leading_group(ctx, root, bureau_name, secretary, bureau_user, year) -> list[tuple[str, str]]:
    group = LeadingGroup.objects.create(
        organization=root,
        name=f"{bureau_name}党建工作领导小组",
        doc_number=f"商党〔{year - 2}〕1号",
        established_on=date(year - 2, 2, 20),
        office_location="领导小组办公室设在局机关党委，负责日常工作",
        responsibilities="统筹全局党建工作，研究解决党建工作重大问题，督促检查责任清单落实，组织年度考核评价。",
    )
    deputies = [(_name(ctx), "党组成员、副局长") for _ in range(3)]
    leaders = [(secretary, "党组书记、局长"), *deputies]
    members = [
        (GroupRole.LEADER, secretary, "党组书记、局长", None),
        *[(GroupRole.DEPUTY, n, p, None) for n, p in deputies[:2]],
        (GroupRole.MEMBER, deputies[2][0], deputies[2][1], None),
        (GroupRole.MEMBER, _name(ctx), "机关党委书记", None),
        (GroupRole.MEMBER, _name(ctx), "办公室主任", None),
        (GroupRole.MEMBER, _name(ctx), "人事科科长", None),
        (GroupRole.OFFICE_HEAD, _name(ctx), "机关党委专职副书记", bureau_user),
        (GroupRole.OFFICE_STAFF, _name(ctx), "机关党委干事", None),
        (GroupRole.OFFICE_STAFF, _name(ctx), "办公室科员", None),
    ]
    LeadingGroupMember.objects.bulk_create(
        LeadingGroupMember(group=group, role=r, person_name=n, post=p, user=u, sort=i)
        for i, (r, n, p, u) in enumerate(members, start=1)
    )
    FirstResponsible.objects.create(
        organization=root,
        person_name=secretary,
        post="党组书记",
        since=date(year - 2, 2, 20),
        is_current=True,
    )
    return leaders


def _lists(ctx, root, organ, bureau_name, leaders, branches, bureau_user, org_admins, member_user, year):
    issued = date(year, 1, 18)
    created: list[tuple[DutyList, list[Duty]]] = []

    def make(org, kind, title, number, holder=("", ""), holder_user=None, units=()):
        dl = DutyList.objects.create(
            organization=org,
            kind=kind,
            title=title,
            year=year,
            doc_number=number,
            issued_on=issued,
            status=ListStatus.ISSUED,
            holder_name=holder[0],
            holder_post=holder[1],
            holder_user=holder_user,
            preamble="为压紧压实党建工作责任，推动管党治党责任落到实处，制定本清单。",
        )
        if units:
            dl.in_charge_units.set(units)
        return dl

    main = make(
        root, DutyListKind.MAIN, f"{bureau_name}{year}年全面从严治党主体责任清单", f"商党〔{year}〕2号"
    )
    who = {
        "党组书记": (leaders[0][0], "党组书记"),
        "党组成员": ("党组班子成员", "党组成员"),
        "机关党委": ("机关党委", "机关党委"),
    }
    items = []
    for seq, (cat, role, cadence, content, req, evidence) in enumerate(MAIN_ITEMS, start=1):
        name, post = who[role]
        items.append(
            Duty(
                duty_list=main,
                seq=seq,
                category=cat,
                content=content,
                responsible_name=name,
                responsible_post=post,
                responsible_user=bureau_user if role == "机关党委" else None,
                cadence=cadence,
                deadline=date(year, 6, 30) if cadence == "once" else None,
                work_requirement=req,
                evidence_required=evidence,
            )
        )
    created.append((main, Duty.objects.bulk_create(items)))

    units = list(Unit.objects.filter(is_active=True).exclude(kind="bureau").order_by("kind", "name"))
    ctx.rng.shuffle(units)
    for i, (name, post) in enumerate(leaders[1:]):
        share = units[i * 4 : (i + 1) * 4]
        dl = make(
            root,
            DutyListKind.DUAL,
            f"{name}同志落实党建工作“一岗双责”责任清单（{year}年）",
            f"商党〔{year}〕3号",
            (name, post),
            units=share,
        )
        created.append(
            (
                dl,
                Duty.objects.bulk_create(
                    Duty(
                        duty_list=dl,
                        seq=seq,
                        content=c,
                        cadence=cad,
                        work_requirement=r,
                        evidence_required=e,
                        deadline=date(year, 12, 20) if cad == "once" else None,
                    )
                    for seq, (cad, c, r, e) in enumerate(DUAL_ITEMS, start=1)
                ),
            )
        )

    admin_orgs = {u.organization_id: u for u in org_admins if u.organization_id}
    member_org = (
        getattr(getattr(member_user, "member", None), "organization_id", None) if member_user else None
    )
    chosen = [b for b in branches if b.pk in admin_orgs or b.pk == member_org]
    chosen += [b for b in branches if b not in chosen][: max(0, 3 - len(chosen))]
    for b in chosen:
        dl = make(b, DutyListKind.BRANCH, f"{b.short_name or b.name}{year}年党建工作责任清单", "")
        admin = admin_orgs.get(b.pk)
        sec = _secretary_name(b) or _name(ctx)
        items = []
        for seq, (cad, role, content, req, evidence) in enumerate(BRANCH_ITEMS, start=1):
            user = (
                admin
                if role == "支部书记"
                else (member_user if b.pk == member_org and role == "组织委员" else None)
            )
            items.append(
                Duty(
                    duty_list=dl,
                    seq=seq,
                    content=content,
                    responsible_name=sec if role == "支部书记" else "",
                    responsible_post=role,
                    responsible_user=user,
                    cadence=cad,
                    work_requirement=req,
                    evidence_required=evidence,
                    deadline=date(year, 7, 10) if cad == "once" else None,
                    # one source per duty: the committee meeting is read from the records (达标情况)
                    measure_key="compliance:branch_committee"
                    if content.startswith("每月召开支部委员会会议")
                    else "",
                )
            )
        created.append((dl, Duty.objects.bulk_create(items)))
    return created


def _reports(ctx, lists, today) -> int:
    rows = []
    for dl, items in lists:
        start, end = year_range(dl.year)
        for d in items:
            for occ in occurrences(
                d.cadence, start, min(end, today + timedelta(days=40)), deadline=d.deadline
            ):
                if occ.starts_on > today:
                    continue
                roll = ctx.rng.random()
                if occ.due_on >= today:
                    if roll < 0.35:  # some of the current period already done
                        on = occ.starts_on + timedelta(
                            days=ctx.rng.randint(0, max(0, (today - occ.starts_on).days))
                        )
                    else:
                        continue
                elif roll < 0.72:
                    on = occ.due_on - timedelta(days=ctx.rng.randint(0, 12))
                elif roll < 0.87:
                    on = min(today, occ.due_on + timedelta(days=ctx.rng.randint(2, 20)))  # late
                else:
                    continue  # never reported: shows as 逾期未完成
                on = max(on, occ.starts_on)
                rows.append(
                    DutyReport(
                        duty=d,
                        period_key=occ.key,
                        due_on=occ.due_on,
                        text=f"已按要求完成：{d.short_title}。",
                        reported_by=d.responsible_user,
                        reported_at=_at(on, 9 + ctx.rng.randint(0, 8)),
                    )
                )
    rows = [r for r in rows if not r.duty.measure_key]  # a bound item is never reported by hand
    DutyReport.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _plans(ctx, root, organ, branches, bureau_name, today) -> int:
    count = 0
    for year in (today.year - 1, today.year):
        past = year < today.year
        plan = WorkPlan.objects.create(
            year=year,
            title=f"{bureau_name}{year}年党建工作要点",
            doc_number=f"商党〔{year}〕1号",
            issued_on=date(year, 1, 25),
            status=ListStatus.ISSUED,
            preamble=f"{year}年全局党建工作的总体要求是：坚持以党的政治建设为统领，压实管党治党责任，夯实基层基础。",
        )
        items = []
        for seq, (cat, who, content, (m, d), target) in enumerate(PLAN_ITEMS, start=1):
            org = {"ROOT": root, "JGDW": organ}.get(who) or (ctx.rng.choice(branches) if branches else organ)
            status, note = "", ""
            if past:
                roll = ctx.rng.random()
                status = "done" if roll < 0.7 else "mostly" if roll < 0.9 else "not_done"
                note = {
                    "mostly": "个别党组织完成时间滞后",
                    "not_done": "受企业经营困难影响，未能按计划完成",
                }.get(status, "")
            items.append(
                WorkPlanItem(
                    plan=plan,
                    seq=seq,
                    category=cat,
                    content=content,
                    organization=org,
                    deadline=date(year, m, d),
                    target=target,
                    year_end_status=status,
                    year_end_note=note,
                    assessed_at=_at(date(year, 12, 28)) if past else None,
                    measure_key="orgs_term" if content.startswith("督促按期换届") else "",
                )
            )
        items = WorkPlanItem.objects.bulk_create(items)
        progress = []
        for it in items:
            months = 12 if past else today.month - 1
            for k in range(1, months + 1, 3):
                on = date(year, k, 28)
                if on <= today and ctx.rng.random() < 0.8:
                    pct = min(100, int(k / 12 * 100) + ctx.rng.randint(0, 15))
                    progress.append(
                        WorkPlanProgress(
                            item=it, reported_on=on, text=f"按计划推进，完成约{pct}%。", percent=pct
                        )
                    )
        WorkPlanProgress.objects.bulk_create([p for p in progress if not p.item.measure_key])
        count += len(items)
    return count


def _notices(ctx, root, branches, live, bureau_name, bureau_user, org_admins, today) -> int:
    NoticeTemplate.objects.create(
        name="月度重点工作通知",
        title_template="关于做好{year}年{month}月份党建重点工作的通知",
        doc_number_template="商党办〔{year}〕{month}号",
        body_template=TEMPLATE_BODY,
        deadline_day=25,
        is_default=True,
    )
    admins = {u.organization_id: u for u in org_admins}
    notices: list[tuple[Notice, list[Organization]]] = []
    for month in range(1, today.month + 1):
        issue_day = date(today.year, month, 2 + ctx.rng.randint(0, 2))
        if issue_day > today:
            break
        values = {"year": today.year, "month": month, "deadline": f"{today.year}年{month}月25日"}
        n = Notice(
            kind=NoticeKind.MONTHLY,
            title="关于做好{year}年{month}月份党建重点工作的通知".format(**values),
            doc_number=f"商党办〔{today.year}〕{month}号",
            body=TEMPLATE_BODY.format(**values),
            year=today.year,
            month=month,
            issuer=root,
            target_mode=TargetMode.KINDS,
            target_kinds=sorted(BRANCH_KINDS),
            deadline=date(today.year, month, 25),
            status=NoticeStatus.ISSUED,
            issued_at=_at(issue_day, 9),
            issued_by=bureau_user,
            created_by=bureau_user,
        )
        notices.append((n, branches))
    extra_day = date(today.year, min(today.month, 6), 10)
    if extra_day <= today:
        notices.append(
            (
                Notice(
                    kind=NoticeKind.GENERAL,
                    title="关于开展“七一”走访慰问困难党员和老党员的通知",
                    body="请各党组织摸清底数，于6月28日前完成走访慰问并反馈名单。",
                    year=today.year,
                    issuer=root,
                    target_mode=TargetMode.ALL,
                    deadline=min(date(today.year, 6, 28), extra_day + timedelta(days=18)),
                    status=NoticeStatus.ISSUED,
                    issued_at=_at(extra_day, 15),
                    issued_by=bureau_user,
                    created_by=bureau_user,
                ),
                list(live),
            )
        )
    Notice.objects.bulk_create([n for n, _ in notices])
    targets = []
    for n, orgs in notices:
        issued_on = timezone.localdate(n.issued_at)
        for o in orgs:
            t = NoticeTarget(notice=n, organization=o)
            who = admins.get(o.pk)
            roll = ctx.rng.random()
            if roll < 0.08:  # never acknowledged
                targets.append(t)
                continue
            ack = issued_on + timedelta(days=ctx.rng.randint(0, 2) if roll < 0.8 else ctx.rng.randint(4, 9))
            if ack <= today:
                t.acknowledged_at, t.acknowledged_by = _at(ack, 11), who
            fb_roll = ctx.rng.random()
            if fb_roll < 0.78:
                fb = n.deadline - timedelta(days=ctx.rng.randint(0, 10))
            elif fb_roll < 0.9:
                fb = n.deadline + timedelta(days=ctx.rng.randint(1, 8))  # late
            else:
                fb = None
            if fb and t.acknowledged_at and ack <= fb <= today:
                t.fed_back_at, t.fed_back_by = _at(fb, 16), who
                t.feedback_text = "已组织党员学习传达，各项工作按通知要求落实，相关记录已录入系统。"
            targets.append(t)
    NoticeTarget.objects.bulk_create(targets, batch_size=500)
    return len(notices)


def _cases(ctx, branches, bureau_user, org_admins, today) -> int:
    if not branches:
        return 0
    colours = [(200, 22, 29), (214, 120, 40), (158, 15, 21), (190, 60, 60), (230, 150, 60)]
    rows = []
    pick = ctx.rng.sample(branches, min(len(branches), len(CASES)))
    for i, ((kind, title, brand, story, results, status, exemplary), org) in enumerate(
        zip(CASES, pick, strict=False)
    ):
        submitted = _at(today - timedelta(days=60 - i * 7))
        rows.append(
            BrandCase(
                organization=org,
                kind=kind,
                year=today.year,
                title=title,
                brand_name=brand,
                story=story,
                results=results,
                status=status,
                is_exemplary=exemplary,
                submitted_at=submitted,
                published_at=submitted + timedelta(days=10) if status == CaseStatus.PUBLISHED else None,
                review_comment="请补充具体帮扶人数和成效数据后重新提交。"
                if status == CaseStatus.RETURNED
                else "",
            )
        )
    BrandCase.objects.bulk_create(rows)
    reviews, photos = [], []
    flow = {
        CaseStatus.PUBLISHED: [
            ("submit", "draft", "submitted"),
            ("approve", "submitted", "approved"),
            ("publish", "approved", "published"),
        ],
        CaseStatus.SUBMITTED: [("submit", "draft", "submitted")],
        CaseStatus.RETURNED: [("submit", "draft", "submitted"), ("return", "submitted", "returned")],
    }
    for i, c in enumerate(rows):
        for action, a, b in flow[CaseStatus(c.status)]:
            reviews.append(
                CaseReview(
                    case=c,
                    action=action,
                    from_status=a,
                    to_status=b,
                    comment=c.review_comment if action == "return" else "",
                    actor=bureau_user if action != "submit" else None,
                )
            )
        data = _png(colours[i % len(colours)])
        photo = CasePhoto(
            case=c,
            original_name=f"{c.title}.png",
            content_type=PNG.content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            caption="活动现场",
        )
        photo.file.name = default_storage.save(random_name("cases", PNG), ContentFile(data))
        photos.append(photo)
    CaseReview.objects.bulk_create(reviews)
    CasePhoto.objects.bulk_create(photos)
    return len(rows)


def _rules(ctx, root, bureau_name, bureau_user, today) -> int:
    y, y0 = today.year, today.year - 2
    docs = []
    for category, title, number, body in RULES:
        title = title.replace("x商务局", bureau_name)
        d = RuleDocument.objects.create(title=title, category=category, issuer=root)
        issued = date(y, 1, 18) if "{y}" in number else date(y0, 4, 12)
        RuleVersion.objects.create(
            document=d,
            number=1,
            title=title,
            doc_number=number.format(y=y, y0=y0),
            issued_on=issued,
            effective_on=issued,
            body=body.replace("x商务局", bureau_name),
            created_by=bureau_user,
        )
        docs.append(d)
    term_title = f"{bureau_name}基层党组织换届提醒制度"
    term = RuleDocument.objects.create(title=term_title, category="system", issuer=root, version=2)
    v2_day = date(y - 1, 3, 1)
    RuleVersion.objects.bulk_create(
        [
            RuleVersion(
                document=term,
                number=1,
                title=term_title,
                doc_number=f"商党〔{y0 - 1}〕6号",
                issued_on=date(y0 - 1, 5, 8),
                effective_on=date(y0 - 1, 5, 8),
                body=TERM_RULE_V1,
                is_current=False,
                superseded_on=v2_day,
                created_by=bureau_user,
            ),
            RuleVersion(
                document=term,
                number=2,
                title=term_title,
                doc_number=f"商党〔{y - 1}〕4号",
                issued_on=v2_day,
                effective_on=v2_day,
                body=TERM_RULE_V2,
                change_note="提醒时间由提前3个月改为提前6个月，增加结果报告时限",
                is_current=True,
                created_by=bureau_user,
            ),
        ]
    )
    docs.append(term)
    _cite(docs[2], bureau_user)
    return len(docs)


def _cite(doc: RuleDocument, actor: Any) -> None:
    """The 十四项制度 is what the organisational-life requirements enforce (if compliance seeded them)."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    try:
        Requirement = apps.get_model("compliance", "Requirement")
    except LookupError:
        return
    ct = ContentType.objects.get_for_model(Requirement)
    clauses = {
        "branch_assembly": "第一项",
        "branch_committee": "第一项",
        "party_lecture": "第一项",
        "theme_day": "第二项",
        "org_life_meeting": "第三项",
        "member_appraisal": "第四项",
        "heart_talk": "第五项",
    }
    RuleCitation.objects.bulk_create(
        RuleCitation(
            document=doc, content_type=ct, object_id=r.pk, clause=clauses.get(r.key, ""), created_by=actor
        )
        for r in Requirement.objects.filter(key__in=clauses).order_by("sort", "id")
    )
