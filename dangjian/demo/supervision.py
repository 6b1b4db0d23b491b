"""Demo records of 督查考核 (run by `dangjian seed_demo` after the base demo).

Last quarter's 抽查 round with findings; rectifications in every state, one closed (已销号) and one overdue;
last half-year's 观摩 scored by five raters; and three pairs of copied minutes so that 疑似雷同记录 finds
something; last year's 年终总评 published. Deterministic for a seed: every random choice comes from ctx.rng.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from dangjian.accounts.roles import Role
from dangjian.activities.models import Activity, ActivityKind, ActivityStatus
from dangjian.core.periods import Period, PeriodKind
from dangjian.demo import appraisal as appraisal_demo
from dangjian.orgs.models import BRANCH_KINDS, Organization
from dangjian.supervision import services
from dangjian.supervision.flow import Action, Party
from dangjian.supervision.models import (
    ChecklistItem,
    InspectionRound,
    InspectionTarget,
    Observation,
    Rectification,
)

ACTOR = "演示数据"
ORG = frozenset({Party.ORG})
INSPECTOR = frozenset({Party.INSPECTOR})

# Problems an inspector typically writes down, per checklist item.
PROBLEMS = {
    "三会一课记录": "本季度支部党员大会记录缺少表决情况，党课只有题目没有内容摘要",
    "主题党日": "7月、8月主题党日活动无方案，记录仅有签到表",
    "组织生活会": "组织生活会会前未开展谈心谈话，对照检查材料千篇一律",
    "民主评议党员": "民主测评票未存档，评定结果未向党员反馈",
    "谈心谈话": "支部书记与党员谈心谈话未全覆盖，尚有5名党员未谈",
    "党员教育": "集体学习记录与学习强国截图不对应，个别党员学时不足",
    "组织设置与换届": "支委会分工未调整，组织委员调离后未及时补选",
    "台账资料": "会议记录由一人代写，多次会议记录内容雷同",
}
PARTIAL_NOTES = ["记录基本完整，个别签字缺漏", "开展正常，材料归档不够及时", "基本落实，质量有待提高"]

# Three texts that get copied: between two organisations, within one, and lightly edited.
COPIED = [
    (
        ("theme_day", "collective_study"),
        "主题党日：学习贯彻基层党组织建设要求",
        "会议由支部书记主持。首先集体学习了《中国共产党支部工作条例（试行）》第四章、第五章，围绕“三会一课”、"
        "主题党日、组织生活会等基本制度逐条领学。随后结合本单位商贸流通工作实际开展交流讨论，大家一致认为，"
        "支部要把严格落实组织生活制度作为基础工作，党员要在稳市场、保供应中当先锋、作表率。会议要求各党小组"
        "下月前完成学习心得交流，支委会对学习情况进行督促检查。最后全体党员重温入党誓词。",
    ),
    (
        ("branch_committee",),
        "支委会：研究近期重点工作",
        "会议由支部书记主持，支委全部到会。会议传达了局党组关于本月重点工作的通知，研究部署三项工作：一是做好"
        "党员组织关系排查，对流动党员逐一联系登记；二是督促各党小组按时召开党小组会并规范填写记录；三是做好"
        "发展党员工作，确定入党积极分子培养联系人。会议明确了分工和完成时限，要求支委分别联系各党小组抓好落实，"
        "下次支委会听取进展情况汇报。",
    ),
    (
        ("party_lecture",),
        "党课：坚定理想信念 践行初心使命",
        "支部书记以“坚定理想信念、践行初心使命”为题讲授专题党课。党课从党的百年奋斗历程讲起，结合商务系统"
        "改革发展的实践，阐述了新时代党员干部应有的担当作为，并对照支部存在的学习不够深入、作用发挥不够明显等"
        "问题提出了改进措施。党课要求全体党员立足岗位、履职尽责，在优化营商环境、促进消费等工作中发挥先锋模范作用。"
        "参加党课的党员结合自身工作谈了体会。",
    ),
]


def _users_by_role(ctx: Any, role: str) -> list[Any]:
    found = [u for u in ctx.users.values() if getattr(u, "role", None) == role]
    return found or list(get_user_model().objects.filter(role=role, is_active=True).order_by("username"))


def _first(users: list[Any]) -> Any:
    return users[0] if users else None


def seed(ctx: Any) -> None:
    bureau = _first(_users_by_role(ctx, Role.BUREAU_ADMIN))
    inspector = _first(_users_by_role(ctx, Role.INSPECTOR)) or bureau
    _inspection(ctx, bureau, inspector)
    _observation(ctx, bureau, inspector)
    _copied_minutes(ctx)
    appraisal_demo.seed(ctx, bureau)


# --- 季抽查 and 整改 ---------------------------------------------------------------------------------
def _inspection(ctx: Any, bureau: Any, inspector: Any) -> None:
    quarter = Period.containing(ctx.today, PeriodKind.QUARTER).previous()
    if InspectionRound.objects.filter(quarter=str(quarter)).exists():
        return
    try:
        plan = services.plan_draw(
            services.DrawRequest(
                quarter=quarter, ratio=Decimal("0.3"), seed=ctx.rng.randrange(1_000_000), stratify=True
            )
        )
    except services.ServiceError as exc:
        ctx.log(f"督查考核：未抽取演示抽查轮次（{exc}）")
        return
    rnd = services.create_round(plan, actor=bureau, actor_name=ACTOR, note="演示数据")
    items = list(ChecklistItem.objects.filter(is_active=True).order_by("sort", "id"))
    targets = list(InspectionTarget.objects.filter(round=rnd).select_related("organization", "round"))
    for n, target in enumerate(targets):
        inspected_on = quarter.start + timedelta(days=15 + ctx.rng.randrange(60))
        if n == 1:
            inspected_on = quarter.start + timedelta(days=15)  # its rectification will be overdue
        entries = []
        for item in items:
            roll = ctx.rng.random()
            # The first three organisations each get one 不符合 so that every rectification state can be shown.
            forced_fail = n < 3 and item == items[n % len(items)]
            if forced_fail or roll < 0.08:
                entries.append(
                    services.FindingInput(item.pk, "fail", PROBLEMS.get(item.name, "材料不全，落实不到位"))
                )
            elif roll < 0.28:
                entries.append(services.FindingInput(item.pk, "partial", ctx.rng.choice(PARTIAL_NOTES)))
            else:
                entries.append(services.FindingInput(item.pk, "pass", ""))
        deadline = inspected_on + timedelta(days=30)
        if n == 1:
            deadline = ctx.today - timedelta(days=10)
        services.record_findings(
            target,
            entries,
            inspected_on=inspected_on,
            summary="总体按要求落实组织生活制度，台账基本规范。" if n % 2 else "",
            deadline=max(deadline, inspected_on),
            actor=inspector,
            actor_name=ACTOR,
            enforce_role=False,
        )
    _advance_rectifications(ctx, targets[:3], bureau, inspector)


def _advance_rectifications(ctx: Any, targets: list[InspectionTarget], bureau: Any, inspector: Any) -> None:
    rects = list(
        Rectification.objects.filter(finding__target__in=targets).order_by(
            "finding__target__organization__code"
        )
    )
    by_target = {r.organization_id: r for r in rects}
    plan = [
        ("closed", targets[0] if targets else None),
        ("overdue", targets[1] if len(targets) > 1 else None),
        ("submitted", targets[2] if len(targets) > 2 else None),
    ]
    for state, target in plan:
        rect = by_target.get(target.organization_id) if target else None
        if rect is None:
            continue
        services.act(rect, Action.START, actor=bureau, actor_name=ACTOR, parties=ORG)
        services.act(
            rect,
            Action.EVIDENCE,
            actor=bureau,
            actor_name=ACTOR,
            parties=ORG,
            text="已召开支委会专题研究整改，补齐相关会议记录并建立台账月检制度。",
        )
        if state == "overdue":
            continue
        services.act(rect, Action.SUBMIT, actor=bureau, actor_name=ACTOR, parties=ORG)
        if state == "closed":
            services.act(
                rect,
                Action.CLOSE,
                actor=inspector,
                actor_name=ACTOR,
                parties=INSPECTOR,
                text="经现场核查，问题已整改到位，予以销号。",
            )


# --- 半年观摩 --------------------------------------------------------------------------------------------------
def _raters(ctx: Any, bureau: Any, inspector: Any) -> list[Any]:
    User = get_user_model()
    # Org admins are left out: they would be scoring their own organisations.
    chosen = [u for u in (bureau, inspector) if u is not None]
    names = ["局党组成员 王建国", "机关党委委员 刘敏", "纪检委员 陈立", "党务干部 赵红", "党务干部 孙伟"]
    i = 0
    while len(chosen) < 5:
        username = f"guanmo_rater{i + 1}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username, display_name=names[i], role=Role.INSPECTOR, must_change_password=True
            )
            user.set_unusable_password()  # a scoring seat only; the bureau admin enters the paper sheet
            user.save()
        chosen.append(user)
        i += 1
    return chosen[:5]


def _observation(ctx: Any, bureau: Any, inspector: Any) -> None:
    half = Period.containing(ctx.today, PeriodKind.HALF).previous()
    if Observation.objects.filter(year=half.year, half=half.index).exists():
        return
    branches = list(
        Organization.objects.filter(kind__in=BRANCH_KINDS, dissolved_on__isnull=True).order_by("code")
    )
    if len(branches) < 2:
        return
    observed = sorted(ctx.rng.sample(branches, min(6, len(branches))), key=lambda o: o.code)
    raters = _raters(ctx, bureau, inspector)
    obs = services.create_observation(
        services.ObservationInput(
            title=f"{half.year}年{'上下'[half.index - 1]}半年基层党建工作观摩",
            year=half.year,
            half=half.index,
            held_on=date(half.year, half.last_month, 20),
            place="局机关会议室及各观摩点",
            note="实地察看阵地建设、查阅台账、听取汇报后现场打分。",
            org_ids=[o.pk for o in observed],
            rater_ids=[u.pk for u in raters],
        ),
        actor=bureau,
        actor_name=ACTOR,
        enforce_role=False,
    )
    res = services.results(obs)
    quality = {t.target.pk: 0.72 + ctx.rng.random() * 0.23 for t in res.rows}
    for seat in res.raters:
        bias = ctx.rng.uniform(-0.05, 0.05)
        values = {}
        for row in res.rows:
            for item in res.items:
                share = min(1.0, max(0.4, quality[row.target.pk] + bias + ctx.rng.uniform(-0.06, 0.06)))
                points = (Decimal(str(share)) * item.max_points * 2).quantize(Decimal("1")) / 2
                values[(row.target.pk, item.pk)] = min(points, item.max_points)
        services.save_scores(obs, seat, values, actor=bureau, enforce_role=False)
    services.set_final(obs, True, actor=bureau, enforce_role=False)


# --- copied minutes for 疑似雷同记录 -------------------------------------------------------------------------------
def _edit(text: str, ctx: Any) -> str:
    """A light edit: a phrase or two changed, as when someone copies and "personalises" a record."""
    swaps = [("一致认为", "普遍认为"), ("会议要求", "支部要求"), ("结合", "联系"), ("最后", "会议最后")]
    for old, new in ctx.rng.sample(swaps, 2):
        text = text.replace(old, new, 1)
    return text


def _copied_minutes(ctx: Any) -> None:
    branches = list(
        Organization.objects.filter(kind__in=BRANCH_KINDS, dissolved_on__isnull=True).order_by("code")
    )
    if len(branches) < 3:
        return
    anchor = ctx.today - timedelta(days=40)
    year_start = date(anchor.year, 1, 1)

    def day(back: int) -> date:
        return max(year_start, anchor - timedelta(days=back))

    x, y, z, w = (ctx.rng.sample(branches, 4) if len(branches) >= 4 else [*branches, branches[0]])[:4]
    plan = [
        # copied between two organisations, almost verbatim
        (
            COPIED[0],
            [(x, day(20), COPIED[0][2]), (y, day(12), COPIED[0][2].replace("支部书记", "支部副书记"))],
        ),
        # reused by one organisation at two meetings
        (COPIED[1], [(z, day(35), COPIED[1][2]), (z, day(5), COPIED[1][2])]),
        # copied with light edits
        (COPIED[2], [(w, day(28), COPIED[2][2]), (x, day(8), _edit(COPIED[2][2], ctx))]),
    ]
    kinds = {k.key: k for k in ActivityKind.objects.all()}
    now = timezone.now()
    made: list[tuple[Activity, tuple[str, ...]]] = []
    for (kind_keys, topic, _), rows in plan:
        for org, on, text in rows:
            expected = 8 + ctx.rng.randrange(12)
            made.append(
                (
                    Activity(
                        organization=org,
                        date=on,
                        topic=topic,
                        host="支部书记",
                        place="党员活动室",
                        expected=expected,
                        present=expected - ctx.rng.randrange(3),
                        minutes=text,
                        status=ActivityStatus.APPROVED,
                        submitted_at=now,
                        reviewed_at=now,
                    ),
                    kind_keys,
                )
            )
    Activity.objects.bulk_create([a for a, _ in made])
    Through = Activity.kinds.through
    Through.objects.bulk_create(
        Through(activity_id=a.pk, activitykind_id=kinds[k].pk) for a, keys in made for k in keys if k in kinds
    )
