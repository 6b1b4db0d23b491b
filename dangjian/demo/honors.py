"""Demo: last year's 民主评议 results, a 述职评议 round voted and closed, this year's 两优一先 awarded around 七一,
and honours from higher levels."""

from __future__ import annotations

from datetime import date

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.core import audit
from dangjian.core.models import AuditAction
from dangjian.honors import services
from dangjian.honors.models import Ballot, Honor, HonorRound, MemberGrade, Nomination, ReviewRound, VoterRoll
from dangjian.members.models import Member
from dangjian.orgs.models import Organization


def seed(ctx) -> None:
    rng = ctx.rng
    year = ctx.today.year
    last = year - 1
    members = list(Member.objects.current().select_related("organization"))
    grades = []
    for m in members:
        roll = rng.random()
        grade = "优秀" if roll < 0.15 else "基本合格" if roll > 0.985 else "合格"
        grades.append(
            MemberGrade(
                member=m, year=last, grade=grade, organization=m.organization, recorded_by="seed_demo"
            )
        )
    MemberGrade.objects.bulk_create(grades)

    bureau = User.objects.filter(role=Role.BUREAU_ADMIN).first()
    rnd = services.create_review_round(
        last, f"{last}年度党组织书记抓基层党建工作述职评议", actor=bureau, meeting_on=date(year, 1, 15)
    )
    for rep in rnd.reports.all():
        rep.text = (
            f"一年来，{rep.organization.name}在局党组的坚强领导下，认真落实全面从严治党主体责任，"
            "严格执行“三会一课”、主题党日、组织生活会等制度，扎实开展党员教育管理。存在的不足：党建与业务融合不够紧密，"
            "创新举措不多。下一步将持续加强支部标准化规范化建设。"
        )
        rep.save(update_fields=["text"])
    reports = list(rnd.reports.values_list("id", flat=True))
    evaluators = [f"评议代表{i}" for i in range(12)]
    quality = {rid: rng.random() for rid in reports}
    ballots = []
    for _ in evaluators:
        for rid in reports:
            q = quality[rid] + rng.uniform(-0.25, 0.25)
            ballots.append(
                Ballot(
                    report_id=rid,
                    grade="好" if q > 0.55 else "较好" if q > 0.25 else "一般" if q > 0.05 else "差",
                )
            )
    Ballot.objects.bulk_create(ballots)
    for u in User.objects.filter(role__in=[Role.BUREAU_ADMIN, Role.ORG_ADMIN, Role.INSPECTOR]):
        VoterRoll.objects.get_or_create(round=rnd, voter=u)
    ReviewRound.objects.filter(pk=rnd.pk).update(is_open=False, is_closed=True, is_published=True)

    hr = HonorRound.objects.create(
        year=year,
        title=f"{year}年度“两优一先”评选表彰",
        opens_on=date(year, 5, 10),
        closes_on=date(year, 6, 5),
        publicity_days=5,
        awarded_on=date(year, 6, 30),
        quota_note="优秀共产党员 6 名、优秀党务工作者 3 名、先进基层党组织 2 个",
    )
    good = [m for m in members if not m.is_probationary and m.category == "在职"]
    rng.shuffle(good)
    branches = [o for o in Organization.objects.filter(kind="branch", dissolved_on__isnull=True)]
    rng.shuffle(branches)
    noms = []
    for m in good[:6]:
        noms.append(
            Nomination(
                round=hr,
                category="优秀共产党员",
                member=m,
                organization=m.organization,
                status="awarded",
                deeds=f"{m.name}同志立足岗位、甘于奉献，带头参加组织生活和志愿服务，在商贸流通保供工作中表现突出。",
                publicity_from=date(year, 6, 15),
                publicity_until=date(year, 6, 19),
                nominated_by="seed_demo",
            )
        )
    for m in good[6:9]:
        noms.append(
            Nomination(
                round=hr,
                category="优秀党务工作者",
                member=m,
                organization=m.organization,
                status="awarded",
                deeds=f"{m.name}同志兼职从事党务工作多年，台账规范，组织生活开展扎实。",
                publicity_from=date(year, 6, 15),
                publicity_until=date(year, 6, 19),
                nominated_by="seed_demo",
            )
        )
    for org in branches[:2]:
        noms.append(
            Nomination(
                round=hr,
                category="先进基层党组织",
                organization=org,
                status="awarded",
                deeds=f"{org.name}坚持“三会一课”制度，打造“红色商务”党建品牌，党员先锋作用发挥明显。",
                publicity_from=date(year, 6, 15),
                publicity_until=date(year, 6, 19),
                nominated_by="seed_demo",
            )
        )
    Nomination.objects.bulk_create(noms)
    Honor.objects.bulk_create(
        [
            Honor(
                category=n.category,
                title=n.category,
                level="本局",
                member=n.member,
                organization=n.organization,
                awarded_on=date(year, 6, 30),
                awarded_by="中共x商务局党组",
                nomination=n,
            )
            for n in Nomination.objects.filter(round=hr)
        ]
    )
    if branches:
        Honor.objects.create(
            category="先进基层党组织",
            title="县直机关先进基层党组织",
            level="县级",
            organization=branches[2 % len(branches)],
            awarded_on=date(last, 6, 28),
            awarded_by="中共x县直属机关工作委员会",
        )
    if len(good) > 10:
        Honor.objects.create(
            category="优秀共产党员",
            title="县直机关优秀共产党员",
            level="县级",
            member=good[10],
            organization=good[10].organization,
            awarded_on=date(last, 6, 28),
            awarded_by="中共x县直属机关工作委员会",
        )
    audit.record(
        AuditAction.CREATE,
        actor_name="seed_demo",
        model="honors",
        object_repr="演示数据",
        note=f"民主评议结果 {len(grades)} 条，述职报告 {len(reports)} 份，测评票 {len(ballots)} 张，表彰 {len(noms)} 项",
    )
    ctx.log(f"述职评议与表彰：评议结果 {len(grades)} 条，述职 {len(reports)} 份，表彰 {len(noms)} 项")
