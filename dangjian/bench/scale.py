"""A believable synthetic system of any size for the benchmark (`dangjian gen_scale`, issue 7).

It grows the demo bureau (which gives the logins, requirements, activity kinds and every app's own records)
by `orgs` organisations — 机关党委 / 党委 / 党总支 under the 党组, each over about nineteen branches — with
`members` members, and `years` years of organisational life at realistic rates with realistic gaps (attendance,
minutes, approvals), study records, monthly notices with their targets and quarterly inspection rounds.

Rows go in as multi-row INSERTs (COPY on PostgreSQL) through `core.bulk.RowInserter`; primary keys are read
back in insertion order (one session, one transaction: the keys are assigned in that order on both engines).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.activities.models import Activity, ActivityKind, Attendance
from dangjian.core import audit
from dangjian.core.bulk import DictRowInserter
from dangjian.core.idnumber import make_id_number
from dangjian.core.models import AuditAction
from dangjian.core.periods import add_months, add_years
from dangjian.duties.models import Notice, NoticeTarget
from dangjian.members.choices import Category, Education
from dangjian.members.models import Member
from dangjian.orgs.models import Committee, Organization, OrgKind, PartyGroup, Term, Unit, UnitKind
from dangjian.study.models import StudyRecord
from dangjian.supervision.models import InspectionRound, InspectionTarget

BRANCHES_PER_PARENT = 19
PARENT_KINDS = (OrgKind.ORGAN_COMMITTEE, OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH)
UNIT_KINDS = [k for k, _ in UnitKind.choices]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏飞宇浩然欣怡子涵梓轩晨阳志海燕丹婷雪梅春林晓东"
AREAS = ("410102", "410103", "410104", "410105", "410122", "410181", "410182", "410183")  # not roster_gen's
TOPICS = {
    "theme_day": [
        "学习贯彻党的创新理论",
        "重温入党誓词",
        "志愿服务进社区",
        "廉政教育专题",
        "红色教育基地参观",
    ],
    "branch_committee": [
        "研究本月支部工作安排",
        "研究党员发展工作",
        "研究党费收缴情况",
        "研究组织生活会准备",
    ],
    "group_meeting": ["学习上级文件精神", "交流思想工作情况", "讨论落实支部决议"],
    "branch_assembly": ["通报支部工作情况", "讨论接收预备党员", "学习党章党规"],
    "party_lecture": ["书记讲党课：践行初心使命", "专题党课：作风建设", "党课：学习党史"],
    "year_end": ["召开年度组织生活会和民主评议党员"],
}
BULK_MODELS = (Activity, Activity.kinds.through, Attendance, StudyRecord, NoticeTarget, Member)
# Minutes are composed from many fragments with names and figures, so that two records share little text (as
# in real 台账); a pool of identical sentences would make every pair 疑似雷同 and tell nothing.
WHO = ("支部书记", "组织委员", "宣传委员", "纪检委员", "党小组长", "青年党员代表", "老党员代表")
DID = ("传达了", "领学了", "解读了", "通报了", "部署了", "总结了", "点评了", "补充了")
WHAT = (
    "上级党委近期文件精神",
    "本单位第{n}季度重点任务",
    "党风廉政建设责任清单",
    "党员发展工作计划",
    "党费收缴使用情况",
    "困难党员帮扶台账",
    "志愿服务活动安排",
    "意识形态工作要求",
    "安全生产专项检查情况",
    "营商环境优化举措",
    "年度学习计划第{n}项内容",
    "群众反映的{n}件具体问题",
    "整改清单中的第{n}条",
)
HOW = (
    "大家围绕{x}展开讨论",
    "{x}同志结合岗位谈了体会",
    "{x}提出{n}条具体建议",
    "{x}同志对照检查了自身不足",
    "会议明确由{x}牵头于{n}日内落实",
    "{x}同志作了补充发言",
)
PLACE_TAIL = (
    "会议形成一致意见。",
    "会后将情况报上级党组织。",
    "相关材料已归档。",
    "会议记录经与会人员确认。",
    "下次会议将通报落实情况。",
)


@dataclass
class Plan:
    orgs: int
    members: int
    years: int
    seed: int = 1
    today: date = field(default_factory=timezone.localdate)


@dataclass
class Branch:
    id: int
    members: list[int]
    groups: list[tuple[int, list[int]]]
    names: list[str]


def _ids_after(model: type[models.Model], before: int) -> list[int]:
    return list(model.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True))


def _max_id(model: type[models.Model]) -> int:
    return model.objects.aggregate(m=models.Max("pk"))["m"] or 0


def _encode(n: int) -> str:
    alphabet, steplen = Organization.alphabet, Organization.steplen
    out = ""
    for _ in range(steplen):
        n, r = divmod(n, len(alphabet))
        out = alphabet[r] + out
    return out


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _minutes(rng: random.Random, host: str, topic: str, day: date, who: list[int] | None) -> str:
    parts = [f"{day.month}月{day.day}日，会议由{host}主持，主题为{topic}。"]
    for _ in range(rng.randint(3, 5)):
        n = rng.randint(2, 30)
        parts.append(f"{rng.choice(WHO)}{rng.choice(DID)}{rng.choice(WHAT).format(n=n)}，")
        parts.append(rng.choice(HOW).format(x=_name(rng), n=rng.randint(2, 15)) + "。")
    if who:
        parts.append(f"应到{len(who)}人。")
    parts.append(rng.choice(PLACE_TAIL))
    return "".join(parts)


class Generator:
    def __init__(self, plan: Plan, log: Any = print):
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.log = log
        self.counts: dict[str, int] = {}
        self.tag = f"S{plan.seed % 1000:03d}"

    def run(self) -> dict[str, int]:
        with transaction.atomic(), self._bulk_load():
            root = Organization.objects.get(depth=1)
            parents, branches = self._orgs(root)
            self._committees(parents + [b.id for b in branches])
            self._members(branches)
            self._activities(branches)
            self._study(branches)
            self._notices([b.id for b in branches])
            self._inspections([b.id for b in branches])
            audit.record(
                AuditAction.IMPORT, actor_name="gen_scale", object_repr="规模测试数据", note=str(self.counts)
            )
        if connection.vendor == "postgresql":
            self._reset_sequences()
        return self.counts

    @contextmanager
    def _bulk_load(self) -> Iterator[None]:
        """On SQLite, load the big tables without their secondary indexes and build those afterwards (one sort
        each instead of millions of random B-tree inserts), with a page cache large enough for the build."""
        if connection.vendor != "sqlite":
            yield
            return
        tables = [m._meta.db_table for m in BULK_MODELS]
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -1000000")
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({marks})",
                tables,
            )
            indexes = cursor.fetchall()
            for name, _ in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        yield
        with connection.cursor() as cursor:
            for _, sql in indexes:
                cursor.execute(sql)
            cursor.execute("PRAGMA cache_size = -2000")

    # -- organisations ----------------------------------------------------------------------------------------
    def _orgs(self, root: Organization) -> tuple[list[int], list[Branch]]:
        rng, p = self.rng, self.plan
        n_parents = max(1, p.orgs // (BRANCHES_PER_PARENT + 1))
        n_branches = max(1, p.orgs - n_parents)
        units = DictRowInserter(Unit)
        unit_before = _max_id(Unit)
        units.insert(
            {"name": f"{self.tag}第{i + 1}单位", "kind": UNIT_KINDS[i % len(UNIT_KINDS)]}
            for i in range(n_parents)
        )
        unit_ids = _ids_after(Unit, unit_before)
        ins = DictRowInserter(Organization)
        before = _max_id(Organization)
        start = root.numchild
        rows, child_rows = [], []
        per = [n_branches // n_parents + (1 if i < n_branches % n_parents else 0) for i in range(n_parents)]
        for i in range(n_parents):
            kind = PARENT_KINDS[i % len(PARENT_KINDS)]
            path = root.path + _encode(start + i + 1)
            label = {
                "organ_committee": "机关委员会",
                "committee": "委员会",
                "general_branch": "总支部委员会",
            }[kind]
            rows.append(
                {
                    "path": path,
                    "depth": 2,
                    "numchild": per[i],
                    "name": f"中共{self.tag}第{i + 1}单位{label}",
                    "code": f"{self.tag}P{i + 1:05d}",
                    "kind": kind,
                    "founded_on": date(2000 + i % 20, 7, 1),
                }
            )
            for j in range(per[i]):
                bkind = OrgKind.JOINT_BRANCH if j % 17 == 16 else OrgKind.BRANCH
                child_rows.append(
                    {
                        "path": path + _encode(j + 1),
                        "depth": 3,
                        "numchild": 0,
                        "name": f"中共{self.tag}第{i + 1}单位第{j + 1}支部委员会",
                        "code": f"{self.tag}B{i + 1:05d}{j + 1:03d}",
                        "kind": bkind,
                        "founded_on": date(2000 + (i + j) % 22, 1 + j % 12, 1),
                        "phone": f"0371-{rng.randrange(10**7):07d}",
                    }
                )
        ins.insert(rows + child_rows)
        Organization.objects.filter(pk=root.pk).update(numchild=start + n_parents)
        ids = _ids_after(Organization, before)
        parent_ids, branch_ids = ids[:n_parents], ids[n_parents:]
        link = DictRowInserter(Organization.units.through)
        owners = [parent_ids[i] for i in range(n_parents) for _ in range(per[i])]
        link.insert(
            [{"organization_id": o, "unit_id": unit_ids[i]} for i, o in enumerate(parent_ids)]
            + [
                {"organization_id": b, "unit_id": unit_ids[parent_ids.index(o)]}
                for b, o in zip(branch_ids, owners, strict=False)
            ]
            if n_parents < 5000
            else []
        )
        self.counts.update({"orgs.unit": n_parents, "orgs.organization": len(ids)})
        return parent_ids, [Branch(b, [], [], []) for b in branch_ids]

    def _committees(self, org_ids: list[int]) -> None:
        before = _max_id(Committee)
        DictRowInserter(Committee).insert({"organization_id": o, "name": ""} for o in org_ids)
        committee_ids = _ids_after(Committee, before)
        today, rng = self.plan.today, self.rng
        terms = []
        for c in committee_ids:
            elected = today - timedelta(days=rng.randrange(30, 1300))
            terms.append(
                {
                    "committee_id": c,
                    "number": rng.randint(1, 6),
                    "elected_on": elected,
                    "years": 3,
                    "expires_on": add_years(elected, 3),
                    "is_current": True,
                }
            )
        DictRowInserter(Term).insert(terms)
        self.counts.update({"orgs.committee": len(committee_ids), "orgs.term": len(terms)})

    # -- members --------------------------------------------------------------------------------------------
    def _members(self, branches: list[Branch]) -> None:
        rng, today = self.rng, self.plan.today
        weights = [rng.uniform(0.3, 1.7) for _ in branches]
        total_w = sum(weights)
        sizes = [max(3, int(self.plan.members * w / total_w)) for w in weights]
        sizes[0] += max(0, self.plan.members - sum(sizes))
        group_rows, group_of = [], []
        for bi, (b, size) in enumerate(zip(branches, sizes, strict=False)):
            n_groups = 0 if size < 20 else (2 if size < 45 else 3)
            for g in range(n_groups):
                group_rows.append({"organization_id": b.id, "name": f"第{'一二三'[g]}党小组"})
                group_of.append(bi)
        before = _max_id(PartyGroup)
        DictRowInserter(PartyGroup).insert(group_rows)
        for gid, bi in zip(_ids_after(PartyGroup, before), group_of, strict=False):
            branches[bi].groups.append((gid, []))
        cats = (Category.SERVING, Category.SERVING, Category.SERVING, Category.RETIRED, Category.LAID_OFF)
        educations = list(Education.values)
        rows: list[dict[str, Any]] = []
        owner: list[tuple[int, int]] = []
        n = 0
        for bi, (b, size) in enumerate(zip(branches, sizes, strict=False)):
            for k in range(size):
                birth = date(1945, 1, 1) + timedelta(days=n % (365 * 55))
                male = rng.random() < 0.62
                seq = ((n // (365 * 55)) * 2 + (1 if male else 0)) % 1000
                join = add_years(birth, 18) + timedelta(days=rng.randrange(365 * 20))
                join = min(join, today - timedelta(days=rng.randrange(40, 400)))
                full = add_years(join, 1) if add_years(join, 1) <= today and rng.random() > 0.02 else None
                name = _name(rng)
                group = b.groups[k % len(b.groups)][0] if b.groups else None
                rows.append(
                    {
                        "name": name,
                        "initials": "",
                        "gender": "男" if male else "女",
                        "ethnicity": "汉族",
                        "id_number": make_id_number(AREAS[(n // 1000) % len(AREAS)], birth, seq),
                        "birth_date": birth,
                        "education": educations[n % len(educations)],
                        "join_date": join,
                        "full_date": full,
                        "category": cats[n % len(cats)],
                        "organization_id": b.id,
                        "party_group_id": group,
                        "phone": f"13{rng.randrange(10**9):09d}",
                    }
                )
                owner.append((bi, k))
                b.names.append(name)
                n += 1
        before = _max_id(Member)
        DictRowInserter(Member).insert(rows)
        for mid, (bi, k) in zip(_ids_after(Member, before), owner, strict=False):
            b = branches[bi]
            b.members.append(mid)
            if b.groups:
                b.groups[k % len(b.groups)][1].append(mid)
        self.counts.update({"orgs.partygroup": len(group_rows), "members.member": len(rows)})

    # -- organisational life ----------------------------------------------------------------------------------
    def _months(self) -> list[date]:
        today = self.plan.today
        first = date(today.year, today.month, 1)
        return [add_months(first, -i) for i in range(self.plan.years * 12 - 1, -1, -1)]

    def _activities(self, branches: list[Branch]) -> None:
        kinds = dict(ActivityKind.objects.values_list("key", "pk"))
        user = User.objects.order_by("pk").values_list("pk", flat=True).first()
        rng, today = self.rng, self.plan.today
        acts: list[dict[str, Any]] = []
        act_kinds: list[tuple[int, ...]] = []
        attend: list[list[int] | None] = []
        now = timezone.now()

        def add(
            org: int,
            day: date,
            keys: tuple[str, ...],
            topic: str,
            host: str,
            who: list[int] | None,
            group: int | None = None,
            talk: tuple[int, int] | None = None,
        ) -> None:
            if day > today:
                return
            status = "approved" if rng.random() < 0.9 else ("submitted" if rng.random() < 0.7 else "draft")
            present = len(who) if who else 2
            if who:
                present = sum(1 for _ in who if rng.random() < 0.88) or 1
            acts.append(
                {
                    "organization_id": org,
                    "party_group_id": group,
                    "date": day,
                    "place": "党员活动室",
                    "topic": topic,
                    "host": host,
                    "expected": len(who) if who else 2,
                    "present": present,
                    "voting_expected": len(who) if who else 2,
                    "voting_present": present,
                    "quorum_met": (present * 2 > len(who)) if who and "branch_assembly" in keys else None,
                    "minutes": _minutes(rng, host, topic, day, who) if rng.random() < 0.85 else "",
                    "talk_a_id": talk[0] if talk else None,
                    "talk_b_id": talk[1] if talk else None,
                    "status": status,
                    "submitted_at": now if status != "draft" else None,
                    "reviewed_by_id": user if status == "approved" else None,
                    "reviewed_at": now if status == "approved" else None,
                    "created_by_id": user,
                }
            )
            act_kinds.append(tuple(kinds[k] for k in keys))
            attend.append(who)

        months = self._months()
        for b in branches:
            if not b.members:
                continue
            host = b.names[0]
            for m in months:
                if rng.random() < 0.9:
                    add(
                        b.id,
                        m + timedelta(days=rng.randrange(0, 27)),
                        ("theme_day",),
                        rng.choice(TOPICS["theme_day"]),
                        host,
                        b.members,
                    )
                if len(b.members) >= 7 and rng.random() < 0.85:
                    add(
                        b.id,
                        m + timedelta(days=rng.randrange(0, 10)),
                        ("branch_committee",),
                        rng.choice(TOPICS["branch_committee"]),
                        host,
                        b.members[:5],
                    )
                for gid, gm in b.groups:
                    if gm and rng.random() < 0.8:
                        add(
                            b.id,
                            m + timedelta(days=rng.randrange(0, 27)),
                            ("group_meeting",),
                            rng.choice(TOPICS["group_meeting"]),
                            host,
                            gm,
                            group=gid,
                        )
                if m.month in (3, 6, 9, 12):
                    if rng.random() < 0.9:
                        both = rng.random() < 0.3  # one meeting that is also the quarter's 党课
                        add(
                            b.id,
                            m + timedelta(days=rng.randrange(0, 27)),
                            ("branch_assembly", "party_lecture") if both else ("branch_assembly",),
                            rng.choice(TOPICS["branch_assembly"]),
                            host,
                            b.members,
                        )
                        if not both and rng.random() < 0.85:
                            add(
                                b.id,
                                m + timedelta(days=rng.randrange(0, 27)),
                                ("party_lecture",),
                                rng.choice(TOPICS["party_lecture"]),
                                host,
                                b.members,
                            )
                if m.month == 12 and rng.random() < 0.93:
                    add(
                        b.id,
                        m + timedelta(days=rng.randrange(10, 28)),
                        ("org_life_meeting", "member_appraisal"),
                        TOPICS["year_end"][0],
                        host,
                        b.members,
                    )
            # 谈心谈话: the secretary talks with a share of the members each year
            for year_start in {date(m.year, 1, 1) for m in months}:
                for mid in b.members[1:]:
                    if rng.random() < 0.16:
                        day = year_start + timedelta(days=rng.randrange(0, 360))
                        add(
                            b.id,
                            day,
                            ("heart_talk",),
                            f"与{b.names[b.members.index(mid)]}同志谈心谈话",
                            host,
                            None,
                            talk=(b.members[0], mid),
                        )
        before = _max_id(Activity)
        DictRowInserter(Activity).insert(acts)
        ids = _ids_after(Activity, before)
        DictRowInserter(Activity.kinds.through).insert(
            {"activity_id": a, "activitykind_id": k}
            for a, ks in zip(ids, act_kinds, strict=False)
            for k in ks
        )
        self.counts["activities.activity"] = len(ids)
        self.counts["activities.attendance"] = self._attendance(ids, acts, attend)

    def _attendance(self, ids: list[int], acts: list[dict[str, Any]], attend: list[list[int] | None]) -> int:
        rng = self.rng
        reasons = ("公假", "病假", "事假")
        n = 0

        def rows() -> Iterator[dict[str, Any]]:
            nonlocal n
            for aid, act, who in zip(ids, acts, attend, strict=False):
                if not who:
                    continue
                absent = len(who) - act["present"]
                for i, mid in enumerate(who):
                    gone = i >= len(who) - absent
                    n += 1
                    yield {
                        "activity_id": aid,
                        "member_id": mid,
                        "present": not gone,
                        "absence_reason": rng.choice(reasons) if gone else "",
                    }

        DictRowInserter(Attendance).insert(rows())
        return n

    def _study(self, branches: list[Branch]) -> None:
        rng = self.rng
        forms = ("集中学习", "线上学习", "专题培训")
        months = self._months()
        rows = []
        for b in branches:
            for mid in b.members:
                for year_start in sorted({date(m.year, 1, 1) for m in months}):
                    for day in sorted(rng.sample(range(0, 330), 2)):
                        d = year_start + timedelta(days=day)
                        if d > self.plan.today:
                            continue
                        rows.append(
                            {
                                "member_id": mid,
                                "date": d,
                                "hours": Decimal("2.0"),
                                "content": "学习党的创新理论",
                                "form": forms[day % 3],
                                "source": "import",
                                "recorded_by": "gen_scale",
                            }
                        )
        DictRowInserter(StudyRecord).insert(rows)
        self.counts["study.studyrecord"] = len(rows)

    def _notices(self, branch_ids: list[int]) -> None:
        user = User.objects.order_by("pk").values_list("pk", flat=True).first()
        months = self._months()
        now = timezone.now()
        before = _max_id(Notice)
        DictRowInserter(Notice).insert(
            {
                "kind": "general",
                "title": f"关于做好{m.year}年{m.month}月份党建工作的通知（规模测试）",
                "doc_number": f"{self.tag}〔{m.year}〕{m.month}号",
                "body": "局属各党组织：请按要求落实本月党建工作。",
                "year": m.year,
                "month": m.month,
                "target_mode": "kinds",
                "target_kinds": json.dumps(["branch", "joint_branch", "temp_branch"]),
                "deadline": m + timedelta(days=24),
                "status": "issued",
                "issued_at": now,
                "issued_by_id": user,
                "created_by_id": user,
                "issuer_id": user,
            }
            for m in months
        )
        ids = _ids_after(Notice, before)
        rng = self.rng
        DictRowInserter(NoticeTarget).insert(
            {
                "notice_id": n,
                "organization_id": o,
                "acknowledged_at": now if rng.random() < 0.95 else None,
                "feedback_text": "已组织学习并落实。" if rng.random() < 0.85 else "",
            }
            for n in ids
            for o in branch_ids
        )
        self.counts.update({"duties.notice": len(ids), "duties.noticetarget": len(ids) * len(branch_ids)})

    def _inspections(self, branch_ids: list[int]) -> None:
        rng = self.rng
        taken = set(InspectionRound.objects.values_list("quarter", flat=True))
        quarters = sorted({f"{m.year}Q{(m.month - 1) // 3 + 1}" for m in self._months()} - taken)
        codes = dict(Organization.objects.filter(pk__in=branch_ids).values_list("pk", "code"))
        before = _max_id(InspectionRound)
        DictRowInserter(InspectionRound).insert(
            {
                "quarter": q,
                "seed": rng.randrange(10**6),
                "ratio": Decimal("0.05"),
                "candidates": json.dumps([]),
                "status": "active",
                "drawn_by_name": "gen_scale",
                "note": "规模测试",
            }
            for q in quarters
        )
        ids = _ids_after(InspectionRound, before)
        targets = []
        for r in ids:
            for o in rng.sample(branch_ids, max(1, len(branch_ids) // 20)):
                targets.append(
                    {
                        "round_id": r,
                        "organization_id": o,
                        "org_code": codes[o],
                        "stratum": "",
                        "summary": "资料齐全，记录规范。" if rng.random() < 0.8 else "",
                    }
                )
        DictRowInserter(InspectionTarget).insert(targets)
        self.counts.update(
            {"supervision.inspectionround": len(ids), "supervision.inspectiontarget": len(targets)}
        )

    def _reset_sequences(self) -> None:
        from django.core.management.color import no_style

        models_ = [
            Unit,
            Organization,
            Committee,
            Term,
            PartyGroup,
            Member,
            Activity,
            Attendance,
            StudyRecord,
            Notice,
            NoticeTarget,
            InspectionRound,
            InspectionTarget,
            Organization.units.through,
            Activity.kinds.through,
        ]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models_):
                cursor.execute(sql)
