from django.db import migrations

# A copy of dangjian.supervision.defaults.CHECKLIST at the time of writing (migrations must not import app code
# that may change later).
CHECKLIST = [
    (
        "三会一课记录",
        "支部党员大会一般每季度1次、支委会一般每月1次、党小组会一般每月1次，党课按计划开展，记录完整"
        "（支部条例第十一、十二、十三、十六条）",
    ),
    ("主题党日", "每月相对固定1天开展主题党日，主题明确、有方案有记录（支部条例第十六条）"),
    (
        "组织生活会",
        "每年至少召开1次，会前学习和谈心谈话、会上批评与自我批评、会后整改落实（支部条例第十七条）",
    ),
    ("民主评议党员", "一般每年开展1次，自评、互评、民主测评、评定意见程序完整（支部条例第十八条）"),
    ("谈心谈话", "支委之间、支委和党员之间、党员之间每年谈心谈话一般不少于1次（支部条例第十九条）"),
    ("党员教育", "集体学习与个人自学相结合，学习有计划、有记录，学时达到要求"),
    ("组织设置与换届", "按期换届，委员会设置和委员分工符合规定（支部条例第二十、二十一条）"),
    ("台账资料", "会议记录、签到表、活动照片等台账齐全规范，与系统内登记的活动一致"),
]


def seed(apps, schema_editor):
    ChecklistItem = apps.get_model("supervision", "ChecklistItem")
    for sort, (name, guidance) in enumerate(CHECKLIST, start=1):
        ChecklistItem.objects.get_or_create(name=name, defaults={"guidance": guidance, "sort": sort * 10})


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
