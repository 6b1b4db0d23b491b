from django.db import migrations, models

RULES = [
    ("requirements_missed", "组织生活制度落实不够规范", 0, "未达标项数超过该值即列为问题",
     "一些基层党组织把主要精力放在生产经营和业务工作上，对“三会一课”等基本制度的刚性约束认识不足，存在“重业务、轻党建”的倾向；"
     "部分党组织书记履行第一责任人职责不到位，对组织生活缺乏统筹安排。",
     "持续严肃党内政治生活。督促各基层党组织对照《中国共产党支部工作条例（试行）》制定年度组织生活计划，落实“月提醒、季抽查”，"
     "对连续未达标的党组织由局党组成员约谈提醒，把组织生活落实情况纳入年终总评和书记述职评议。"),
    ("terms_overdue", "个别党组织未按期换届", 0, "已届满和未录入任期的党组织数超过该值即列为问题",
     "个别党组织对按期换届的严肃性认识不足，有的企业经营困难、人员流动大，班子成员配备困难，导致换届工作拖延。",
     "严格落实换届提醒制度。对任期即将届满的党组织提前六个月发函提醒，指导其按程序做好换届请示、候选人审查和选举工作；"
     "确需延期的严格审批，延期一般不超过一年，切实以换届为契机配齐配强基层党组织班子。"),
    ("part_time_workers", "专职党务干部力量薄弱", 0.8, "兼职党务干部占比达到该值（0–1）即列为问题",
     "局属基层党组织的党务干部大多为兼职，有的身兼数职，投入党建工作的时间和精力有限，党务工作专业化水平不高。",
     "加强党务干部队伍建设。在有条件的单位配备专职党务干部，对兼职党务干部开展常态化业务培训，"
     "推行党建工作指导员制度，由机关党委委员联系指导基层党组织。"),
    ("troubled_concentration", "党员较多集中在生产经营困难和破产改制企业", 0.3, "此类企业党员占比达到该值（0–1）即列为问题",
     "相当数量的党员集中在生产经营困难的老国有商业企业和破产改制企业，这些企业效益不佳、稳定压力大、下岗失业党员多，"
     "基层党组织落实党建工作制度难度较大；局机关与部分非公经济组织没有直接领导关系，缺乏有效管理手段。",
     "创新困难企业党组织设置和活动方式。对党员人数少、经营困难的企业推行联合党支部，依托社区和离退休干部党支部开展活动；"
     "关心关爱下岗失业和生活困难党员，落实党内关怀帮扶，增强基层党组织的凝聚力。"),
    ("study_shortfall", "党员教育培训学时落实不够", 0.1, "学时未达标党员占比达到该值（0–1）即列为问题",
     "部分党员参加集体学习的时间难以保证，个人自学主动性不强，网络学习平台利用不充分。",
     "持续加强教育培训。把集体学习与“学习强国”等网络平台学习结合起来，第四季度对学时不足的党员逐一提醒，"
     "积极组织现场教学和专题辅导，确保党员每年学时不少于32学时、书记和班子成员不少于56学时。"),
    ("rectifications_overdue", "督查发现问题整改不够及时", 0, "逾期未销号的整改项超过该值即列为问题",
     "个别党组织对督查发现的问题重视不够，整改措施针对性不强，存在“过关”思想。",
     "压实整改责任。对季度抽查发现的问题建立整改台账，明确责任人和整改时限，逐项验收销号；对逾期未整改的纳入月提醒并在年终总评中扣分。"),
    ("similar_records", "个别组织生活记录存在照搬照抄现象", 0, "疑似雷同记录对数超过该值即列为问题",
     "个别党组织开展组织生活流于形式，会议记录照搬照抄，批评和自我批评不够深入，“红脸出汗”的程度还不够。",
     "提升组织生活质量。围绕中心工作确定组织生活主题，如实记录讨论情况，季度抽查中重点核查会议记录的真实性，"
     "对照搬照抄的予以通报并责令整改。"),
]


def seed(apps, schema_editor):
    ReportRule = apps.get_model("reports", "ReportRule")
    for sort, (key, title, threshold, help_, cause, suggestion) in enumerate(RULES, start=1):
        ReportRule.objects.update_or_create(key=key, defaults={
            "title": title, "threshold": threshold, "threshold_help": help_, "cause": cause,
            "suggestion": suggestion, "sort": sort * 10})


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="ReportRule",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.SlugField(max_length=40, unique=True, verbose_name="问题代码")),
                ("title", models.CharField(max_length=60, verbose_name="问题名称")),
                ("enabled", models.BooleanField(default=True, verbose_name="启用")),
                ("threshold", models.FloatField(default=0, help_text="含义见说明，如比例（0–1）或件数", verbose_name="阈值")),
                ("threshold_help", models.CharField(blank=True, max_length=100, verbose_name="阈值说明")),
                ("cause", models.TextField(help_text="发现该问题时写入“原因分析”的段落", verbose_name="原因分析")),
                ("suggestion", models.TextField(help_text="发现该问题时写入“思考和建议”的段落", verbose_name="思考和建议")),
                ("sort", models.PositiveSmallIntegerField(default=100, verbose_name="排序")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
            ],
            options={"verbose_name": "报告分析规则", "verbose_name_plural": "报告分析规则", "ordering": ["sort", "id"]},
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
