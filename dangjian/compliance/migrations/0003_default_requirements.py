"""The default requirements of design §4.1, with their citations from rules.md (status V / S / M).

Created only where missing, so that a re-run never overwrites what the bureau has edited since.
"""

from django.db import migrations

BRANCHES = ["branch", "joint_branch", "temp_branch"]
TIAOLI = "《中国共产党支部工作条例（试行）》"

DEFAULTS = [
    # key, name, activity kind key, rule, period, minimum, citation, status, note
    (
        "branch_assembly",
        "支部党员大会",
        "branch_assembly",
        "org",
        "quarter",
        1,
        f"{TIAOLI}第十一条：党员大会一般每季度召开1次",
        "V",
        "表决必须有半数以上有表决权的党员到会方可进行（第十一条）。实到未超过有表决权党员半数的会议照常登记，"
        "但标注“未达法定人数”，不计入本项。",
    ),
    (
        "branch_committee",
        "支部委员会会议",
        "branch_committee",
        "committee_7",
        "month",
        1,
        f"{TIAOLI}第十二条：支部委员会会议一般每月召开1次；第二十条：正式党员7人以上的党支部设立支部委员会",
        "V",
        "只适用于期末正式党员7名以上（须设支委会）的党支部。",
    ),
    (
        "group_meeting",
        "党小组会",
        "group_meeting",
        "each_group",
        "month",
        1,
        f"{TIAOLI}第十三条：党小组会一般每月召开1次",
        "V",
        "每个党小组分别计算；全部党小组均达到时本支部达标；未设党小组的党支部不适用。",
    ),
    (
        "party_lecture",
        "党课",
        "party_lecture",
        "org",
        "quarter",
        1,
        "地方惯例：党课每季度至少1次（支部条例第十六条未规定党课频次）",
        "S",
        "频次为本地默认值，可按本地规定修改。",
    ),
    (
        "theme_day",
        "主题党日",
        "theme_day",
        "org",
        "month",
        1,
        f"{TIAOLI}第十六条：党支部每月相对固定1天开展主题党日",
        "V",
        "",
    ),
    (
        "org_life_meeting",
        "组织生活会",
        "org_life_meeting",
        "org",
        "year",
        1,
        f"{TIAOLI}第十七条：组织生活会每年至少召开1次，一般安排在第四季度",
        "V",
        "",
    ),
    (
        "member_appraisal",
        "民主评议党员",
        "member_appraisal",
        "org",
        "year",
        1,
        f"{TIAOLI}第十八条：民主评议党员一般每年开展1次",
        "V",
        "条文原文已核实；条款序号系按条文顺序推定，发布前请再核对。",
    ),
    (
        "heart_talk",
        "谈心谈话",
        "heart_talk",
        "all_members",
        "year",
        1,
        f"{TIAOLI}第十九条：支委之间、支委和党员之间、党员和党员之间，每年谈心谈话一般不少于1次",
        "V",
        "每名在册党员每年至少与书记或支委谈心谈话1次；应完成数为在册党员数，已完成数为已谈话的党员数。",
    ),
]


def seed(apps, schema_editor):
    Requirement = apps.get_model("compliance", "Requirement")
    ActivityKind = apps.get_model("activities", "ActivityKind")
    kinds = {k.key: k for k in ActivityKind.objects.all()}
    for sort, (key, name, kind, rule, period, minimum, citation, status, note) in enumerate(DEFAULTS, start=1):
        Requirement.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "kind": kinds[kind],
                "org_kinds": BRANCHES,
                "applicability": rule,
                "period": period,
                "minimum": minimum,
                "citation": citation,
                "citation_status": status,
                "note": note,
                "is_builtin": True,
                "is_core": True,
                "is_active": True,
                "sort": sort * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0002_exemption_revocation_and_versions"),
        ("activities", "0002_builtin_kinds"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
