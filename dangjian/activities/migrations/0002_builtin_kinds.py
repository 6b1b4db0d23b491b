from django.db import migrations

BUILTIN_KINDS = [
    ("branch_assembly", "支部党员大会", "党员大会、支部大会", True, False, False),
    ("branch_committee", "支部委员会会议", "支委会、支委会议", False, False, False),
    ("group_meeting", "党小组会", "党小组会议", False, False, False),
    ("party_lecture", "党课", "讲党课", False, False, True),
    ("theme_day", "主题党日", "主题党日活动", False, False, False),
    ("org_life_meeting", "组织生活会", "", False, False, False),
    ("member_appraisal", "民主评议党员", "民主评议", False, False, False),
    ("heart_talk", "谈心谈话", "谈话", False, True, False),
    ("collective_study", "集体学习", "理论学习、中心组学习", False, False, True),
    ("site_teaching", "现场教学", "红色教育", False, False, True),
    ("tutorial", "专题辅导", "专题讲座、专家辅导", False, False, True),
]


def seed(apps, schema_editor):
    ActivityKind = apps.get_model("activities", "ActivityKind")
    for sort, (key, name, synonyms, quorum, talk, study) in enumerate(BUILTIN_KINDS, start=1):
        ActivityKind.objects.update_or_create(
            key=key,
            defaults={"name": name, "synonyms": synonyms, "needs_quorum": quorum, "is_talk": talk, "credits_study": study,
                      "is_builtin": True, "sort": sort * 10},
        )


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
