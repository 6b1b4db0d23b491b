"""Defaults the bureau may edit: the 季抽查 checklist and the 半年观摩 rubric, with where each item comes from."""

from __future__ import annotations

from decimal import Decimal

# (name, guidance). Seeded by migration 0002; the bureau edits them on the 检查清单 page.
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

# (name, max points, guidance). Copied into every new observation, where it can be edited.
RUBRIC = [
    ("阵地建设", Decimal("20"), "活动场所规范，制度上墙，党建氛围浓厚"),
    ("组织生活", Decimal("25"), "三会一课、主题党日、组织生活会等开展规范，记录真实完整"),
    ("党员教育管理", Decimal("20"), "学习教育经常化，党员管理规范，作用发挥明显"),
    ("特色亮点", Decimal("20"), "党建品牌、好做法好经验，党建与业务融合"),
    ("现场汇报", Decimal("15"), "汇报简明扎实，材料翔实，问答准确"),
]

RECTIFICATION_DAYS = 30  # default time allowed for a rectification, editable per item
DUE_SOON_LABEL = "本月内到期"
