"""Demo organisational life (`dangjian seed_demo`): for every branch, records over 2025 and 2026 up to today.

What it should show, as the bureau's own report describes it: branches in the bureau and its institutions are
diligent; those in struggling, restructured and bankrupt firms keep fewer records, with gaps of months; a few
branches neglect the work. 主题党日 is often held together with the quarterly 党员大会 and 党课 (one record, three
kinds). Every record has its attendance with realistic absences; one 党员大会 misses its quorum; 谈心谈话 reaches
most members but not all; some records are submitted, approved or sent back. Bulk inserts throughout.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.activities import rules
from dangjian.activities.models import Activity, ActivityKind, ActivityStatus, Attendance, ReviewStep
from dangjian.activities.roster import RosterIndex
from dangjian.core import audit
from dangjian.core.models import AuditAction
from dangjian.core.periods import Period
from dangjian.members.models import Member
from dangjian.orgs.models import BRANCH_KINDS, Organization, PartyGroup, Post

START = date(2025, 1, 1)

# How diligently a branch keeps its organisational life, by the kind of unit it sits in.
BASE_RATE = {
    "bureau": 0.97,
    "institution": 0.93,
    "soe": 0.84,
    "restructured": 0.68,
    "private": 0.62,
    "social": 0.62,
    "bankrupting": 0.42,
    "bankrupt_ended": 0.22,
}

MONTH_TOPICS = {
    1: ["部署年度党建工作要点", "学习局党组年度工作会议精神", "开展新春走访慰问困难党员"],
    2: ["学习贯彻上级全会精神", "开展作风建设专题学习", "学习《中国共产党支部工作条例（试行）》"],
    3: ["学雷锋志愿服务", "学习全国两会精神", "开展“三八”妇女节主题活动"],
    4: ["清明节缅怀革命先烈", "学习党纪学习教育相关规定", "开展廉政警示教育"],
    5: ["学习五四精神，争做新时代青年", "开展安全生产专题学习", "学习《中国共产党纪律处分条例》"],
    6: ["迎“七一”重温入党誓词", "学习党史专题：红旗渠精神", "开展“党员政治生日”活动"],
    7: ["庆祝中国共产党成立纪念日", "学习习近平总书记“七一”重要讲话", "重温入党誓词、过政治生日"],
    8: ["学习优秀共产党员先进事迹", "开展“八一”慰问退役军人党员", "学习商务领域政策文件"],
    9: ["学习新修订的党内法规", "开展“助企纾困”党员志愿服务", "学习焦裕禄精神"],
    10: ["庆祝新中国成立纪念日主题学习", "学习党的组织工作条例", "开展“敬老月”走访离退休党员"],
    11: ["学习上级全会精神", "开展党员冬训动员", "学习意识形态工作责任制规定"],
    12: ["年度工作总结和谋划", "学习中央经济工作会议精神", "开展“12·4”宪法宣传日学习"],
}
ASSEMBLY_ITEMS = [
    "通报本季度支部工作情况",
    "讨论接收预备党员事项",
    "审议支部年度工作计划",
    "讨论党费收缴使用情况并予以公布",
    "讨论推荐优秀共产党员人选",
    "研究落实上级党组织工作部署",
]
COMMITTEE_ITEMS = [
    "研究本月主题党日安排",
    "研究发展党员工作",
    "分析党员思想状况",
    "研究困难党员帮扶",
    "研究落实“三会一课”计划",
    "研究党费收缴情况",
    "研究支部品牌建设",
]
LECTURE_TITLES = [
    "坚定理想信念，永葆初心本色",
    "传承红色基因，赓续精神血脉",
    "以高质量党建引领商贸流通发展",
    "严守纪律规矩，筑牢拒腐防线",
    "在助企纾困中彰显党员担当",
    "学习党章，做合格党员",
]
SITES = ["红旗渠纪念馆", "焦裕禄纪念园", "确山革命纪念馆", "竹沟革命纪念馆", "本县烈士陵园", "县党史馆"]
TUTORIALS = [
    ("县委党校张教授", "解读上级全会精神"),
    ("市商务局李处长", "商贸流通政策专题辅导"),
    ("县纪委王主任", "党纪学习专题辅导"),
]
PLACES = ["党员活动室", "二楼会议室", "单位会议室", "党群服务中心"]
OPENINGS = [
    "{host}主持会议，应到{expected}人，实到{present}人{absent_clause}。",
    "会议由{host}主持。本次应到党员{expected}名，实到{present}名{absent_clause}。",
    "{day}，{org}在{place}召开会议，{host}主持，应到{expected}人，实到{present}人{absent_clause}。",
]
STUDY_LINES = [
    "会上集中学习了{topic}的有关内容，{reader}领学了相关文件。",
    "与会党员围绕“{topic}”逐段学习，结合本职工作谈了体会。",
    "{reader}领读了学习材料，大家联系思想和工作实际进行了交流发言。",
    "会议传达学习了上级党组织关于{topic}的通知要求。",
]
DISCUSSION_LINES = [
    "{speaker1}谈到，要把学习成果转化为做好本职工作的实际行动。",
    "{speaker1}结合企业经营困难的实际，提出党员要带头稳定职工队伍。",
    "{speaker1}和{speaker2}分别发言，表示要在岗位上发挥先锋模范作用。",
    "离退休党员{speaker1}提出，希望支部多组织上门送学活动。",
    "{speaker1}建议把学习和为群众办实事结合起来。",
]
CLOSING_LINES = [
    "最后，{host}对下一步工作提出要求：一是抓好学习，二是落实制度，三是发挥作用。",
    "会议要求全体党员按时参加组织生活，缺席的同志由支委会安排补学。",
    "会议强调，要以严肃认真的态度对待组织生活，确保各项制度落到实处。",
    "{host}要求各党小组抓好落实，下月主题党日前报告进展情况。",
]
RETURN_COMMENTS = [
    "会议记录过于简单，请补充讨论发言内容",
    "缺少会议现场照片，请补充附件",
    "出勤人数与名单不符，请核对后重新提交",
    "主题与本月重点工作通知要求不一致，请说明",
]
TALK_TOPICS = [
    "谈思想、谈工作、谈生活",
    "了解思想动态和工作困难",
    "听取对支部工作的意见建议",
    "开展年度谈心谈话",
]


@dataclass
class Plan:
    """One record to insert: the activity, its kinds and its attendance."""

    org: Organization
    day: date
    kinds: list[str]
    topic: str
    roster: list[Member]
    absent: dict[int, tuple[str, str]] = field(default_factory=dict)
    talk: tuple[Member, Member] | None = None
    party_group: PartyGroup | None = None
    speaker: str = ""
    site: str = ""
    hours: Decimal | None = None
    minutes: str = ""
    force_no_quorum: bool = False


@dataclass
class Branch:
    org: Organization
    rate: float
    theme_day: int
    gaps: set[tuple[int, int]]
    secretary: Member | None
    committee: list[Member]
    host: str
    groups: list[PartyGroup]
    place: str


def seed(ctx: Any) -> None:
    if Activity.objects.exists():
        ctx.log("组织生活：已有记录，跳过演示数据")
        return
    branches_qs = list(
        Organization.objects.filter(kind__in=BRANCH_KINDS, dissolved_on__isnull=True)
        .prefetch_related("units")
        .order_by("path")
    )
    if not branches_qs:
        return
    seeder = _Seeder(ctx, branches_qs)
    seeder.run()


class _Seeder:
    def __init__(self, ctx: Any, orgs: list[Organization]):
        self.ctx = ctx
        self.rng = ctx.rng
        self.today: date = ctx.today
        self.orgs = orgs
        self.kinds = {k.key: k for k in ActivityKind.objects.all()}
        self.index = RosterIndex.for_orgs([o.pk for o in orgs])
        self._roll: dict[tuple[int, date], list[Member]] = {}
        self.plans: list[Plan] = []
        self.users = self._users()

    # --- setting up -------------------------------------------------------------------------------------------
    def _users(self) -> dict[str, Any]:
        users = list(User.objects.filter(role__in=["bureau_admin", "org_admin"]).order_by("id"))
        bureau = next((u for u in users if u.role == "bureau_admin"), None)
        by_org = {u.organization_id: u for u in users if u.role == "org_admin" and u.organization_id}
        return {"bureau": bureau, "by_org": by_org}

    def roll(self, org: Organization, day: date) -> list[Member]:
        key = (org.pk, day)
        if key not in self._roll:
            self._roll[key] = self.index.on(org.pk, day)
        return self._roll[key]

    def _branches(self) -> list[Branch]:
        posts: dict[int, list[dict]] = defaultdict(list)
        for p in (
            Post.objects.filter(term__committee__organization__in=self.orgs, term__is_current=True)
            .values("term__committee__organization_id", "title", "person_name", "id_number")
            .order_by("term__committee__organization_id", "sort", "id")
        ):
            posts[p["term__committee__organization_id"]].append(p)
        groups: dict[int, list[PartyGroup]] = defaultdict(list)
        for g in PartyGroup.objects.filter(organization__in=self.orgs, is_active=True).order_by("name"):
            groups[g.organization_id].append(g)
        unit_kinds = {o.pk: [u.kind for u in o.units.all()] for o in self.orgs}
        out = []
        for o in self.orgs:
            kinds = unit_kinds.get(o.pk) or ["institution"]
            rate = min(BASE_RATE.get(k, 0.7) for k in kinds)
            out.append(self._branch(o, rate, posts.get(o.pk, []), groups.get(o.pk, [])))
        # A few branches outside the bankrupt firms neglect the work too (the bureau's report says so).
        healthy = [b for b in out if b.rate >= 0.6]
        for b in self.rng.sample(healthy, k=max(1, len(healthy) // 6)) if healthy else []:
            b.rate *= 0.55
        for b in out:
            b.gaps = self._gaps(b.rate)
        return out

    def _branch(self, o: Organization, rate: float, posts: list[dict], groups: list[PartyGroup]) -> Branch:
        current = self.roll(o, self.today)
        by_id = {m.id_number: m for m in current}
        committee = [by_id[p["id_number"]] for p in posts if p["id_number"] in by_id]
        secretary = next((by_id.get(p["id_number"]) for p in posts if p["title"] == "secretary"), None)
        if secretary is None and committee:
            secretary = committee[0]
        veterans = sorted((m for m in current if m.full_date), key=lambda m: (m.join_date, m.pk))
        if not committee:
            committee = veterans[: min(5, len(veterans))] if len(current) >= 7 else veterans[:1]
        secretary = secretary or (veterans[0] if veterans else (current[0] if current else None))
        host = next((p["person_name"] for p in posts if p["title"] == "secretary"), "")
        host = host or (secretary.name if secretary else "支部书记")
        unit = next(iter(o.units.all()), None)
        place = self.rng.choice(PLACES)
        if unit is not None and self.rng.random() < 0.5:
            place = f"{unit.name}会议室"
        return Branch(o, rate, self.rng.randint(5, 25), set(), secretary, committee, host, groups, place)

    def _gaps(self, rate: float) -> set[tuple[int, int]]:
        """Months with nothing at all: the neglected stretches a supervisor would notice."""
        months = _months(START, self.today)
        gaps: set[tuple[int, int]] = set()
        spans = 0 if rate > 0.9 else 1 if rate > 0.6 else 2 if rate > 0.35 else 3
        for _ in range(spans):
            if len(months) < 6:
                break
            start = self.rng.randrange(0, len(months) - 4)
            for ym in months[start : start + self.rng.randint(2, 4)]:
                gaps.add(ym)
        return gaps

    # --- planning ---------------------------------------------------------------------------------------------
    def run(self) -> None:
        branches = self._branches()
        for b in branches:
            self._plan_branch(b)
        self._plant_no_quorum(branches)
        self._plant_copied_minutes(branches)
        with transaction.atomic():
            n, att = self._insert(branches)
            audit.record(
                AuditAction.CREATE,
                actor_name="演示数据",
                object_repr="组织生活演示记录",
                note=f"生成组织生活记录 {n} 条，出勤 {att} 条",
            )
        self.ctx.log(f"组织生活：{n} 条记录，{att} 条出勤")

    def _day(self, b: Branch, year: int, month: int, around: int) -> date | None:
        last = Period.month(year, month).end
        d = date(year, month, max(1, min(last.day, around + self.rng.randint(-2, 2))))
        if d > self.today or (b.org.founded_on and d < b.org.founded_on):
            return None
        return d

    def _plan_branch(self, b: Branch) -> None:
        rng = self.rng
        members_now = len(self.roll(b.org, self.today))
        full_members = sum(1 for m in self.roll(b.org, self.today) if m.full_date)
        for year, month in _months(START, self.today):
            if (year, month) in b.gaps:
                continue
            quarter_month = month % 3 == 0 or (month % 3 == 2 and rng.random() < 0.3)
            theme = self._day(b, year, month, b.theme_day)
            held_assembly = False
            if theme and rng.random() < b.rate:
                kinds = ["theme_day"]
                if quarter_month and rng.random() < min(1.0, b.rate + 0.05):
                    # the quarterly 党员大会 and 党课 held on the 主题党日: one record, three kinds
                    kinds += (
                        ["branch_assembly", "party_lecture"] if rng.random() < 0.7 else ["branch_assembly"]
                    )
                    held_assembly = True
                elif rng.random() < 0.35:
                    kinds.append("collective_study")
                self._add(b, theme, kinds)
            if quarter_month and not held_assembly and rng.random() < b.rate * 0.6:
                d = self._day(b, year, month, rng.randint(3, 27))
                if d:
                    self._add(b, d, ["branch_assembly"])
            if full_members >= 7 and rng.random() < b.rate * 0.9:
                d = self._day(b, year, month, max(1, b.theme_day - 3))
                if d:
                    self._add(b, d, ["branch_committee"])
            for g in b.groups:
                if rng.random() < b.rate * 0.8:
                    d = self._day(b, year, month, rng.randint(8, 26))
                    if d:
                        self._add(b, d, ["group_meeting"], party_group=g)
            if month in (6, 7, 9) and rng.random() < b.rate * 0.35:
                d = self._day(b, year, month, rng.randint(10, 26))
                if d:
                    self._add(
                        b, d, ["site_teaching", "theme_day"] if rng.random() < 0.4 else ["site_teaching"]
                    )
            if month in (4, 10) and members_now >= 15 and rng.random() < b.rate * 0.4:
                d = self._day(b, year, month, rng.randint(10, 26))
                if d:
                    self._add(b, d, ["tutorial"])
            if month == 12 and rng.random() < b.rate:
                d = self._day(b, year, month, rng.randint(15, 28))
                if d:
                    self._add(b, d, ["org_life_meeting", "member_appraisal", "branch_assembly"])
        self._plan_talks(b)

    def _plan_talks(self, b: Branch) -> None:
        if b.secretary is None:
            return
        for year in range(START.year, self.today.year + 1):
            last = min(date(year, 12, 31), self.today)
            first = date(year, 1, 10)
            if last <= first:
                continue
            coverage = min(0.97, 0.45 + b.rate * 0.5)
            if year == self.today.year:
                coverage *= (last - date(year, 1, 1)).days / 365
            mid = first + (last - first) / 2
            for m in self.roll(b.org, mid):
                if self.rng.random() >= coverage:
                    continue
                day = first + timedelta(days=self.rng.randint(0, (last - first).days))
                talker = b.secretary
                if m.pk == talker.pk:
                    talker = next((c for c in b.committee if c.pk != m.pk), None)
                    if talker is None:
                        continue
                roll_ids = {x.pk for x in self.roll(b.org, day)}
                if m.pk not in roll_ids or talker.pk not in roll_ids:
                    continue
                self.plans.append(
                    Plan(
                        b.org,
                        day,
                        ["heart_talk"],
                        f"与{m.name}同志谈心谈话",
                        [talker, m],
                        talk=(talker, m),
                        minutes=f"{talker.name}与{m.name}进行谈心谈话，{self.rng.choice(TALK_TOPICS)}。"
                        f"{m.name}表示{self.rng.choice(['将继续发挥党员作用', '工作中存在一些困难，希望组织关心', '对支部工作总体满意，建议多开展学习交流', '会按时参加组织生活'])}。",
                    )
                )

    def _add(self, b: Branch, day: date, kinds: list[str], party_group: PartyGroup | None = None) -> None:
        rng = self.rng
        everyone = self.roll(b.org, day)
        if "branch_committee" in kinds and len(kinds) == 1:
            ids = {c.pk for c in b.committee}
            roster = [m for m in everyone if m.pk in ids] or everyone[:3]
        elif party_group is not None:
            roster = [m for m in everyone if m.party_group_id == party_group.pk]
        else:
            roster = everyone
        if not roster:
            return
        topic = rng.choice(MONTH_TOPICS[day.month])
        speaker = site = ""
        hours = None
        if "party_lecture" in kinds:
            speaker = b.host if rng.random() < 0.7 else "局党组成员"
            topic = f"{topic}暨专题党课《{rng.choice(LECTURE_TITLES)}》"
            hours = Decimal("2.0")
        if "site_teaching" in kinds:
            site = rng.choice(SITES)
            topic = f"赴{site}开展现场教学"
            hours = Decimal("4.0")
        if "tutorial" in kinds:
            speaker, subject = rng.choice(TUTORIALS)
            topic = f"专题辅导：{subject}"
            hours = Decimal("3.0")
        if "collective_study" in kinds and hours is None:
            hours = Decimal("2.0")
        if "org_life_meeting" in kinds:
            topic = f"召开{day.year}年度组织生活会和民主评议党员"
        if kinds == ["branch_assembly"]:
            topic = rng.choice(ASSEMBLY_ITEMS)
        if kinds == ["branch_committee"]:
            topic = "、".join(rng.sample(COMMITTEE_ITEMS, 2))
        if party_group is not None:
            topic = f"{party_group.name}学习{rng.choice(MONTH_TOPICS[day.month])}"
        plan = Plan(
            b.org, day, kinds, topic, roster, party_group=party_group, speaker=speaker, site=site, hours=hours
        )
        plan.absent = self._absences(roster, b.rate)
        plan.minutes = self._minutes(b, plan)
        self.plans.append(plan)

    def _absences(self, roster: list[Member], rate: float) -> dict[int, tuple[str, str]]:
        rng = self.rng
        out: dict[int, tuple[str, str]] = {}
        for m in roster:
            if m.is_lost:
                out[m.pk] = ("其他", "失联")
                continue
            p = {"在职": 0.07, "离退休": 0.22, "下岗失业": 0.18}.get(m.category, 0.1) + (1 - rate) * 0.1
            if m.is_floating:
                p = 0.6
            if rng.random() < p:
                if m.is_floating:
                    out[m.pk] = ("其他", "外出务工")
                elif m.category == "离退休":
                    out[m.pk] = rng.choice([("因病", ""), ("因病", "行动不便"), ("事假", "在外地照看孙辈")])
                elif m.category == "下岗失业":
                    out[m.pk] = rng.choice([("事假", "打零工"), ("其他", "外出务工"), ("因病", "")])
                else:
                    out[m.pk] = rng.choice(
                        [("因公", "出差"), ("因公", "值班"), ("因公", ""), ("事假", ""), ("因病", "")]
                    )
        if len(out) >= len(roster):
            out.pop(roster[0].pk, None)  # somebody held the meeting
        return out

    def _minutes(self, b: Branch, p: Plan) -> str:
        rng = self.rng
        present = [m for m in p.roster if m.pk not in p.absent]
        absent = [m for m in p.roster if m.pk in p.absent]
        absent_clause = (
            "，"
            + "、".join(f"{m.name}（{p.absent[m.pk][0]}）" for m in absent[:4])
            + ("等" if len(absent) > 4 else "")
            + "缺席"
            if absent
            else ""
        )
        names = [m.name for m in present] or [b.host]
        vals = {
            "host": b.host,
            "expected": len(p.roster),
            "present": len(present),
            "absent_clause": absent_clause,
            "day": f"{p.day.month}月{p.day.day}日",
            "org": b.org.short_name or b.org.name,
            "place": p.site or b.place,
            "topic": p.topic,
            "reader": rng.choice(names),
            "speaker1": rng.choice(names),
            "speaker2": rng.choice(names),
        }
        lines = [rng.choice(OPENINGS)]
        lines += rng.sample(STUDY_LINES, k=rng.randint(1, 2))
        if "branch_assembly" in p.kinds:
            lines.append(
                "会议" + "；".join(rng.sample(ASSEMBLY_ITEMS, k=2)) + "，经与会党员举手表决，一致同意。"
            )
        if "branch_committee" in p.kinds:
            lines.append("支委会" + "，".join(rng.sample(COMMITTEE_ITEMS, k=2)) + "，形成一致意见。")
        if "party_lecture" in p.kinds:
            lines.append(f"{p.speaker or b.host}以《{rng.choice(LECTURE_TITLES)}》为题讲授专题党课。")
        if "site_teaching" in p.kinds:
            lines.append(f"全体党员在{p.site}参观学习，重温入党誓词，接受革命传统教育。")
        if "org_life_meeting" in p.kinds:
            lines.append(
                "会前开展了谈心谈话、征求意见，会上支部书记代表支委会查摆问题，党员逐一开展批评和自我批评，并进行民主测评。"
            )
        lines += rng.sample(DISCUSSION_LINES, k=rng.randint(1, 2))
        lines.append(rng.choice(CLOSING_LINES))
        return "".join(line.format(**vals) for line in lines)

    def _plant_no_quorum(self, branches: list[Branch]) -> None:
        """Exactly one 党员大会 without a quorum, in the most neglectful branch that has enough voters."""
        assemblies = [p for p in self.plans if "branch_assembly" in p.kinds]
        for p in assemblies:  # natural absences never reach it elsewhere: top up attendance
            voters = [m for m in p.roster if rules.has_vote(m.full_date, p.day)]
            present = [m for m in voters if m.pk not in p.absent]
            while voters and not rules.quorum_met(len(present), len(voters)):
                back = next(m for m in voters if m.pk in p.absent)
                p.absent.pop(back.pk)
                present.append(back)
        rates = {b.org.pk: b.rate for b in branches}
        candidates = [
            p for p in assemblies if sum(1 for m in p.roster if rules.has_vote(m.full_date, p.day)) >= 6
        ]
        if not candidates:
            return
        target = min(candidates, key=lambda p: (rates[p.org.pk], -p.day.toordinal()))
        voters = [m for m in target.roster if rules.has_vote(m.full_date, target.day)]
        stay = len(voters) // 2  # exactly half present (or fewer, for an odd count): not a quorum
        for m in voters[:stay]:
            target.absent.pop(m.pk, None)
        for m in voters[stay:]:
            target.absent[m.pk] = self.rng.choice([("因病", ""), ("事假", ""), ("其他", "外出务工")])
        target.minutes = self._minutes(next(b for b in branches if b.org.pk == target.org.pk), target)
        target.force_no_quorum = True

    def _plant_copied_minutes(self, branches: list[Branch]) -> None:
        """One branch copied another's minutes (for the near-duplicate check of the supervision pages)."""
        themes = [p for p in self.plans if p.kinds[0] == "theme_day" and p.day.year == START.year]
        by_org: dict[int, list[Plan]] = defaultdict(list)
        for p in themes:
            by_org[p.org.pk].append(p)
        orgs = [o for o in by_org if by_org[o]]
        if len(orgs) < 2:
            return
        src_org, dst_org = orgs[0], orgs[-1]
        src = by_org[src_org][0]
        dst = min(by_org[dst_org], key=lambda p: abs((p.day - src.day).days))
        src_host = next(b.host for b in branches if b.org.pk == src_org)
        dst_host = next(b.host for b in branches if b.org.pk == dst_org)
        dst.minutes = src.minutes.replace(src_host, dst_host)
        dst.topic = src.topic

    # --- inserting --------------------------------------------------------------------------------------------
    def _status(self, b_rate: float, day: date) -> tuple[str, str]:
        rng = self.rng
        age = (self.today - day).days
        if rng.random() > b_rate + 0.1:
            return ActivityStatus.DRAFT, ""
        if age > 45:
            r = rng.random()
            if r < 0.9:
                return ActivityStatus.APPROVED, ""
            if r < 0.95:
                return ActivityStatus.RETURNED, rng.choice(RETURN_COMMENTS)
            return ActivityStatus.SUBMITTED, ""
        r = rng.random()
        if r < 0.5:
            return ActivityStatus.SUBMITTED, ""
        if r < 0.65:
            return ActivityStatus.APPROVED, ""
        if r < 0.72:
            return ActivityStatus.RETURNED, rng.choice(RETURN_COMMENTS)
        return ActivityStatus.DRAFT, ""

    def _insert(self, branches: list[Branch]) -> tuple[int, int]:
        rates = {b.org.pk: b.rate for b in branches}
        self.plans.sort(key=lambda p: (p.day, p.org.path, p.kinds))
        bureau = self.users["bureau"]
        by_org = self.users["by_org"]
        tz = timezone.get_current_timezone()
        info = {b.org.pk: b for b in branches}
        rows: list[Activity] = []
        for p in self.plans:
            voters = [m for m in p.roster if rules.has_vote(m.full_date, p.day)]
            v_present = sum(1 for m in voters if m.pk not in p.absent)
            needs_quorum = any(self.kinds[k].needs_quorum for k in p.kinds)
            status, comment = self._status(rates[p.org.pk], p.day)
            at = datetime.combine(p.day, time(16, 30), tz)
            a = Activity(
                organization=p.org,
                party_group=p.party_group,
                date=p.day,
                place=p.site or info[p.org.pk].place,
                topic=p.topic[:200],
                host=p.talk[0].name if p.talk else info[p.org.pk].host,
                speaker=p.speaker,
                site=p.site,
                expected=len(p.roster),
                present=len(p.roster) - len(p.absent),
                voting_expected=len(voters),
                voting_present=v_present,
                quorum_met=rules.quorum_met(v_present, len(voters)) if needs_quorum else None,
                minutes=p.minutes,
                talk_a=p.talk[0] if p.talk else None,
                talk_b=p.talk[1] if p.talk else None,
                hours=p.hours,
                status=status,
                submitted_at=at + timedelta(days=2) if status != ActivityStatus.DRAFT else None,
                reviewed_by=bureau if status in (ActivityStatus.APPROVED, ActivityStatus.RETURNED) else None,
                reviewed_at=at + timedelta(days=6)
                if status in (ActivityStatus.APPROVED, ActivityStatus.RETURNED)
                else None,
                review_comment=comment,
                created_by=by_org.get(p.org.pk) or bureau,
            )
            rows.append(a)
        Activity.objects.bulk_create(rows, batch_size=500)
        through = Activity.kinds.through
        links, attendance, steps = [], [], []
        for a, p in zip(rows, self.plans, strict=True):
            links += [(a.pk, self.kinds[k].pk) for k in p.kinds]
            attendance += [
                (a.pk, m.pk, m.pk not in p.absent, *p.absent.get(m.pk, ("", ""))) for m in p.roster
            ]
            steps += self._steps(a, bureau, at)
        _fast_insert(through, ["activity", "activitykind"], links)
        _fast_insert(Attendance, ["activity", "member", "present", "absence_reason", "note"], attendance)
        _fast_insert(
            ReviewStep,
            ["activity", "action", "from_status", "to_status", "actor", "actor_name", "comment", "at"],
            steps,
        )
        return len(rows), len(attendance)

    @staticmethod
    def _steps(a: Activity, bureau: Any, at: datetime) -> list[tuple]:
        """Review history rows: (activity, action, from, to, actor, actor name, comment, time)."""
        if a.status == ActivityStatus.DRAFT:
            return []
        adapt = connection.ops.adapt_datetimefield_value
        writer = a.created_by
        steps: list[tuple] = [
            (
                a.pk,
                "submit",
                ActivityStatus.DRAFT.value,
                ActivityStatus.SUBMITTED.value,
                writer.pk if writer else None,
                str(writer) if writer else "演示数据",
                "",
                adapt(a.submitted_at or at),
            )
        ]
        if a.status in (ActivityStatus.APPROVED, ActivityStatus.RETURNED):
            steps.append(
                (
                    a.pk,
                    "approve" if a.status == ActivityStatus.APPROVED else "return",
                    ActivityStatus.SUBMITTED.value,
                    str(a.status),
                    bureau.pk if bureau else None,
                    str(bureau) if bureau else "演示数据",
                    a.review_comment,
                    adapt(a.reviewed_at or at),
                )
            )
        return steps


def _fast_insert(model: Any, fields: list[str], rows: list[tuple]) -> None:
    """Multi-row INSERTs for the tens of thousands of link and attendance rows (integers, booleans, short
    texts and adapted datetimes only): model instances would spend seconds in the ORM for nothing."""
    if not rows:
        return
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    columns = ", ".join(ops.quote_name(model._meta.get_field(f).column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    batch = max(1, 4000 // len(fields))  # well under SQLite's and PostgreSQL's parameter limits
    with connection.cursor() as cur:
        for i in range(0, len(rows), batch):
            chunk = rows[i : i + batch]
            sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(chunk))}"
            cur.execute(sql, [v for row in chunk for v in row])


def _months(start: date, end: date) -> list[tuple[int, int]]:
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
