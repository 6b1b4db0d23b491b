"""Demo data of 发展党员 (run by `dangjian seed_demo` after the organisational life): a believable pipeline through
the services, as a command acting for the branch and the superior alike.

Some 入党申请人 (one whose 谈话 is overdue), 入党积极分子 of various ages and lengths of service (one due for 考察,
one past a year and ready to be proposed as 发展对象), one 发展对象 in 公示 now, one 预备党员 due for 转正 next
month, one 发展对象 whose 上级党委审批 is late, one taken all the way to an archived 正式党员, and one application
withdrawn. Steps 15 and 23 reuse the 支部党员大会 the organisational-life demo recorded (with a quorum). The holiday
calendar gets the fixed-date 法定节假日 of this year and last (the movable ones are left to the bureau)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from dangjian.activities.models import Activity
from dangjian.activities.services import record_activity
from dangjian.core.periods import add_months, add_years
from dangjian.demo.people import IdBook, NameBook
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.recruitment import rules, services
from dangjian.recruitment.models import Candidate, Holiday

DEMO = "演示数据"
FIXED_HOLIDAYS = ((1, 1, "元旦"), (5, 1, "劳动节"), (10, 1, "国庆节"), (10, 2, "国庆节"), (10, 3, "国庆节"))


def seed(ctx: Any) -> None:
    if Candidate.objects.exists():
        ctx.log("发展党员：已有记录，跳过演示数据")
        return
    _holidays(ctx.today)
    seeder = _Seeder(ctx)
    seeder.run()
    ctx.log(f"发展党员：{Candidate.objects.count()} 人（{seeder.summary()}）")


def _holidays(today: date) -> None:
    for year in (today.year - 1, today.year):
        for month, day, name in FIXED_HOLIDAYS:
            d = date(year, month, day)
            if d.weekday() < 5 and not Holiday.objects.filter(date=d).exists():
                services.add_holiday(d, name, False, actor=None)


class _Seeder:
    def __init__(self, ctx: Any):
        self.ctx = ctx
        # its own draws, from the seed's state, so that the seeders after it draw what they drew before
        self.rng = random.Random()
        self.rng.setstate(ctx.rng.getstate())
        self.today: date = ctx.today
        self.calendar = services.work_calendar()
        self.branches = [
            o
            for o in Organization.objects.filter(kind__in=["branch", "joint_branch", "temp_branch"])
            .filter(dissolved_on__isnull=True)
            .order_by("path")
            if Member.objects.filter(organization=o, full_date__isnull=False, status="正常").count() >= 3
        ]
        self.names = NameBook(self.rng)
        self.names.used = set(Member.objects.values_list("name", flat=True))
        self.ids = IdBook(self.rng)
        self.ids.used = set(Member.objects.values_list("id_number", flat=True))
        self.made: dict[str, int] = {}

    def summary(self) -> str:
        return "，".join(f"{k} {v}" for k, v in self.made.items())

    # --- people ------------------------------------------------------------------------------------------------
    def _person(self, age: int) -> services.Applicant:
        gender = "男" if self.rng.random() < 0.55 else "女"
        birth = add_years(self.today, -age) - timedelta(days=self.rng.randrange(20, 340))
        return services.Applicant(
            name=self.names.draw(gender, birth.year),
            id_number=self.ids.draw(birth, gender),
            gender=gender,
            birth_date=birth,
            ethnicity="汉族",
            education=self.rng.choice(["大学本科", "大学本科", "大学专科", "研究生", "高中"]),
            workplace=self.rng.choice(
                ["业务科科员", "办公室工作人员", "车间技术员", "销售部职员", "财务部会计"]
            ),
        )

    def _count(self, what: str) -> None:
        self.made[what] = self.made.get(what, 0) + 1

    # --- steps -------------------------------------------------------------------------------------------------
    def _step(self, c: Candidate, n: int, on: date, **kw: Any) -> None:
        org = c.organization
        data = services.StepInput(on=on, notes=kw.pop("notes", ""))
        if n == 2:
            data.talker = "支部书记"
        if n == 3:
            data.source = self.rng.choice(rules.RECOMMEND_SOURCES)
        if n in (5, 9):
            # in id order: the same draw on every database (names sort differently under each collation)
            full = sorted(services.branch_members(org, on).filter(full_date__lte=on), key=lambda m: m.pk)
            data.people = self.rng.sample(full, 1 if n == 5 else 2)
        if n in (6, 21):
            data.notes = data.notes or self.rng.choice(
                ["思想汇报按时提交，工作积极主动", "参加党课和志愿服务，表现良好", "学习认真，能发挥骨干作用"]
            )
        if n == 7:
            data.opinions_heard = True
        if n == 10:
            data.outcome = rules.PASS
        if n == 11:
            data.training_days, data.course = 3, "县直机关工委发展对象培训班"  # type: ignore[assignment]
        if n == 12:
            start = on
            data.publicity_start, data.publicity_end = start, self.calendar.end_of(start, 5)
        if n in rules.ASSEMBLY_STEPS:
            data.activity = kw.pop("activity")
            data.votes_for = data.activity.voting_present
        if n == 23:
            data.outcome = rules.CONFIRM
        if n == 25:
            data.dossier = list(rules.DOSSIER)
        if n in (4, 8, 13, 17, 18, 24):
            data.document_no = f"机关党委〔{on.year}〕{self.rng.randrange(3, 60)}号"
        for k, v in kw.items():
            setattr(data, k, v)
        services.record_step(c, n, data, actor=None, actor_name=DEMO, on_today=self.today)

    def _new(self, branch: Organization, applied: date, age: int) -> Candidate:
        return services.create_candidate(self._person(age), branch, applied, actor=None, actor_name=DEMO)

    def _walk(self, c: Candidate, plan: list[tuple[int, date]], **kw: Any) -> Candidate:
        for n, on in plan:
            self._step(c, n, on, **({"activity": kw["activity"]} if n in rules.ASSEMBLY_STEPS else {}))
            c.refresh_from_db()
        return c

    def _to_target_before(self, a: date) -> list[tuple[int, date]]:
        """Steps 2–14 dated back from an assembly on `a` (the one-year rule, the 公示 and the order hold)."""
        d = lambda days: a - timedelta(days=days)  # noqa: E731
        return [(2, d(470)), (3, d(430)), (4, d(400)), (5, d(400)), (6, d(250)), (6, d(70)), (7, d(60)),
                (8, d(58)), (9, d(55)), (10, d(50)), (11, d(45)), (12, d(29)), (13, d(14)), (14, d(7))]  # fmt: skip

    def _assembly(self, lo: date, hi: date, exclude: set[int] = frozenset()) -> Activity | None:  # type: ignore[assignment]
        found = list(
            Activity.objects.filter(
                organization__in=self.branches,
                kinds__key="branch_assembly",
                is_deleted=False,
                quorum_met=True,
                date__gte=lo,
                date__lte=min(hi, self.today),
            )
            .exclude(organization_id__in=exclude)
            .distinct()
            .order_by("date", "pk")
        )
        return self.rng.choice(found) if found else None

    def _assembly_or_new(self, lo: date, hi: date, topic: str) -> Activity | None:
        """An existing 支部党员大会 in the window, or one recorded now (everyone present) on its first weekday."""
        found = self._assembly(lo, hi)
        if found is not None:
            return found
        day = lo + timedelta(days=self.rng.randrange(0, max(1, (hi - lo).days // 2)))
        while day.weekday() >= 5:
            day += timedelta(days=1)
        if day > min(hi, self.today):
            return None
        branch = self._branch()
        a = record_activity(
            organization=branch,
            kinds=["branch_assembly"],
            date=day,
            topic=topic,
            actor=None,
            actor_name=DEMO,
            strict=False,
            host="支部书记",
            minutes="支部书记主持会议。发展对象汇报对党的认识、入党动机和需要向党组织说明的问题；入党介绍人介绍其情况；"
            "支部委员会报告审查情况；与会党员充分讨论后无记名投票表决。",
            today=self.today,
        )
        return a if a.quorum_met else None

    def _branch(self) -> Organization:
        return self.rng.choice(self.branches)

    # --- the pipeline ------------------------------------------------------------------------------------------
    def run(self) -> None:
        if not self.branches:
            return
        t = self.today
        # 入党申请人: one waiting for the talk past the month, one talked to, one just applied; one withdrawn
        self._new(self._branch(), t - timedelta(days=52), 24)
        self._count("申请人")
        c = self._new(self._branch(), t - timedelta(days=24), 31)
        self._walk(c, [(2, t - timedelta(days=15))])
        self._count("申请人")
        self._new(self._branch(), t - timedelta(days=6), 19)
        self._count("申请人")
        gone = self._new(self._branch(), t - timedelta(days=200), 27)
        self._walk(gone, [(2, t - timedelta(days=185))])
        services.terminate(
            gone, t - timedelta(days=90), "本人调离本单位，撤回入党申请", actor=None, actor_name=DEMO
        )
        self._count("终止")
        # 入党积极分子 of various ages and standing
        # (age, months as 积极分子, 考察 so far): the first is due for its 考察 within days, the last is past a year
        for age, activist_months, inspections in ((22, 6, 0), (35, 10, 1), (43, 14, 2)):
            activist = add_months(t, -activist_months) + timedelta(days=10)
            c = self._new(self._branch(), activist - timedelta(days=120), age)
            plan = [(2, activist - timedelta(days=100)), (3, activist), (4, activist + timedelta(days=7)),
                    (5, activist + timedelta(days=7))]  # fmt: skip
            plan += [(6, add_months(activist, 6 * (i + 1))) for i in range(inspections)]
            self._walk(c, plan)
            self._count("积极分子")
        # 发展对象 in 公示 now: step 12 three days ago, five working days from then
        a = t + timedelta(days=40)
        c = self._new(self._branch(), a - timedelta(days=490), 29)
        plan = [s for s in self._to_target_before(a) if s[0] <= 11]
        self._walk(c, plan + [(12, t - timedelta(days=2))])
        self._count("发展对象（公示中）")
        # 发展对象 whose 上级党委审批 is late: the 支部大会 about four months ago
        assembly = self._assembly_or_new(
            add_months(t, -6) + timedelta(days=10), add_months(t, -3) - timedelta(days=10), "讨论接收预备党员"
        )
        if assembly is not None:
            c = self._new(assembly.organization, assembly.date - timedelta(days=490), 26)
            plan = self._to_target_before(assembly.date) + [
                (15, assembly.date),
                (16, assembly.date + timedelta(days=10)),
            ]
            self._walk(c, plan, activity=assembly)
            self._count("审批逾期")
        # 预备党员 due for 转正 next month
        nxt = add_months(date(t.year, t.month, 1), 1)
        assembly = self._assembly_or_new(
            add_years(nxt, -1), add_years(add_months(nxt, 1) - timedelta(days=1), -1), "讨论接收预备党员"
        )
        if assembly is not None:
            c = self._new(assembly.organization, assembly.date - timedelta(days=490), 33)
            a = assembly.date
            plan = self._to_target_before(a) + [(15, a), (16, a + timedelta(days=8)), (17, a + timedelta(days=25)),
                                                (18, a + timedelta(days=35)), (19, a + timedelta(days=30)),
                                                (20, a + timedelta(days=30)), (21, add_months(a, 6))]  # fmt: skip
            self._walk(c, plan, activity=assembly)
            self._count("预备党员（下月转正）")
        # one all the way: admitted, confirmed at the end of the 预备期, archived
        first = self._assembly(add_months(t, -24), add_months(t, -16))
        if first is not None:
            end = rules.probation_end(first.date)
            second = (
                Activity.objects.filter(
                    organization=first.organization,
                    kinds__key="branch_assembly",
                    is_deleted=False,
                    quorum_met=True,
                    date__gte=end,
                    date__lte=min(add_months(end, 4), t - timedelta(days=40)),
                )
                .order_by("date", "pk")
                .first()
            )
            if second is not None:
                a = first.date
                c = self._new(first.organization, a - timedelta(days=490), 30)
                plan = self._to_target_before(a) + [(15, a), (16, a + timedelta(days=8)), (17, a + timedelta(days=25)),
                                                    (18, a + timedelta(days=35)), (19, a + timedelta(days=30)),
                                                    (20, a + timedelta(days=30)), (21, add_months(a, 6)),
                                                    (22, end - timedelta(days=20))]  # fmt: skip
                self._walk(c, plan, activity=first)
                self._walk(c, [(23, second.date)], activity=second)
                self._walk(
                    c, [(24, second.date + timedelta(days=15)), (25, second.date + timedelta(days=30))]
                )
                self._count("正式党员（已归档）")
