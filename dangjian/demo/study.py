"""Demo study records: online self-study (学习强国) and personal study for most members, a few falling short."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from dangjian.core import audit
from dangjian.core.models import AuditAction
from dangjian.members.models import Member
from dangjian.study.models import StudyConfig, StudyRecord

CONTENTS = [
    ("网络平台", "学习强国：习近平新时代中国特色社会主义思想学习纲要"),
    ("网络平台", "学习强国：党的二十届三中全会精神专题"),
    ("网络平台", "干部网络学院：《中国共产党纪律处分条例》解读"),
    ("个人自学", "自学《中国共产党支部工作条例（试行）》"),
    ("个人自学", "自学《习近平谈治国理政》第四卷"),
    ("网络平台", "学习强国：新时代商务高质量发展"),
    ("个人自学", "自学党史学习教育读本"),
]


def seed(ctx) -> None:
    if not StudyConfig.objects.exists():
        StudyConfig.objects.create()  # the defaults, saved: the settings page shows who changed them
    rng = ctx.rng
    members = list(Member.objects.current().values_list("id", "category"))
    rows = []
    for member_id, category in members:
        diligence = rng.random()
        if category == "离退休":
            diligence *= 0.6
        for year in (ctx.today.year - 1, ctx.today.year):
            last = date(year, 12, 31) if year < ctx.today.year else ctx.today
            n = int(diligence * 16)
            used = set()
            for _ in range(n):
                form, content = rng.choice(CONTENTS)
                day = date(year, 1, 1) + timedelta(days=rng.randrange(max(1, (last - date(year, 1, 1)).days)))
                if (day, content) in used:
                    continue
                used.add((day, content))
                rows.append(
                    StudyRecord(
                        member_id=member_id,
                        date=day,
                        hours=Decimal(rng.choice(["1", "1.5", "2", "2.5"])),
                        content=content,
                        form=form,
                        source="import",
                        recorded_by="seed_demo",
                    )
                )
    StudyRecord.objects.bulk_create(rows, batch_size=2000)
    audit.record(
        AuditAction.IMPORT,
        actor_name="seed_demo",
        model="study.studyrecord",
        object_repr="演示学习记录",
        note=f"演示数据：学习记录 {len(rows)} 条",
    )
    ctx.log(f"学习记录：{len(rows)} 条")
