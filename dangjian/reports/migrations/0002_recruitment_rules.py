from django.db import migrations

RULES = [
    ("no_recruitment", "部分党支部发展党员工作停滞", 0, "连续三年未发展党员的党支部数超过该值即列为问题",
     "一些党支部对发展党员工作重视不够，认为单位经营困难、年轻人少，发展党员“没有对象”；入党积极分子队伍培养不经常，"
     "存在“断档”现象。",
     "做好发展党员工作。各党支部年初制定发展党员计划，重点在生产工作一线、青年职工和高知识群体中发展党员；"
     "对连续三年未发展党员的党支部逐一分析原因，指导其加强入党积极分子队伍建设，严格按照《中国共产党发展党员工作细则》"
     "规范发展程序，做到成熟一个、发展一个。"),
    ("ageing_membership", "党员队伍老龄化问题突出", 0.3, "61岁及以上党员占比达到该值（0–1）即列为问题",
     "局属企业多为老国有商业企业，在职职工少、离退休人员多，新鲜血液补充不足，党员队伍年龄结构老化。",
     "优化党员队伍结构。把发展青年党员作为重点，注重在35岁以下青年职工中培养入党积极分子；"
     "发挥老党员的传帮带作用，加强对离退休党员的服务管理。"),
]


def seed(apps, schema_editor):
    ReportRule = apps.get_model("reports", "ReportRule")
    # after the seven rules of 0001 (sorted 10 … 70)
    for i, (key, title, threshold, help_, cause, suggestion) in enumerate(RULES, start=8):
        ReportRule.objects.update_or_create(key=key, defaults={
            "title": title, "threshold": threshold, "threshold_help": help_, "cause": cause,
            "suggestion": suggestion, "sort": i * 10})


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_report_rules")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
