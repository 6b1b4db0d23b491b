"""Fixed vocabularies of the roster (design §5; GB/T 3304, GB/T 4658)."""

from __future__ import annotations

from django.db import models

# GB/T 3304-1991, in code order, plus 97 其他 and 98 外国血统中国籍人士 (rules.md §9).
ETHNICITIES = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族 哈萨克族 傣族 黎族 傈僳族 "
    "佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 "
    "锡伯族 阿昌族 普米族 塔吉克族 怒族 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 鄂伦春族 "
    "赫哲族 门巴族 珞巴族 基诺族 其他 外国血统中国籍人士"
).split()


class Gender(models.TextChoices):
    MALE = "男", "男"
    FEMALE = "女", "女"


class Education(models.TextChoices):
    GRADUATE = "研究生", "研究生"
    BACHELOR = "大学本科", "大学本科"
    COLLEGE = "大学专科", "大学专科"
    SECONDARY = "中专", "中专"
    HIGH = "高中", "高中"
    JUNIOR = "初中及以下", "初中及以下"


EDUCATION_SYNONYMS = {
    "研究生": "研究生",
    "博士": "研究生",
    "博士研究生": "研究生",
    "硕士": "研究生",
    "硕士研究生": "研究生",
    "研究生教育": "研究生",
    "大学本科": "大学本科",
    "本科": "大学本科",
    "大学": "大学本科",
    "学士": "大学本科",
    "大学专科": "大学专科",
    "大专": "大学专科",
    "专科": "大学专科",
    "高职": "大学专科",
    "中专": "中专",
    "中等专科": "中专",
    "中等职业教育": "中专",
    "职高": "中专",
    "技校": "中专",
    "中技": "中专",
    "高中": "高中",
    "普通高中": "高中",
    "初中及以下": "初中及以下",
    "初中": "初中及以下",
    "小学": "初中及以下",
    "文盲": "初中及以下",
    "其他": "初中及以下",
}


class Category(models.TextChoices):
    """人员类别 (design §5; rules.md §8 的就业状态). 党费 bands follow it (dangjian/dues/rules.py): 其他 covers members
    who live on 抚恤 or 救济 (党费规定 第六条)."""

    SERVING = "在职", "在职"
    RETIRED = "离退休", "离退休"
    LAID_OFF = "下岗失业", "下岗失业"
    STUDENT = "学生", "学生"
    FARMER = "农牧渔民", "农牧渔民"
    OTHER = "其他", "其他"


CATEGORY_SYNONYMS = {
    "在职": "在职",
    "离退休": "离退休",
    "离休": "离退休",
    "退休": "离退休",
    "下岗失业": "下岗失业",
    "下岗": "下岗失业",
    "失业": "下岗失业",
    "学生": "学生",
    "在校学生": "学生",
    "农牧渔民": "农牧渔民",
    "农民": "农牧渔民",
    "牧民": "农牧渔民",
    "渔民": "农牧渔民",
    "农牧民": "农牧渔民",
    "其他": "其他",
}
CATEGORY_HINT = "“在职”“离退休”“下岗失业”“学生”“农牧渔民”或“其他”（离休、退休均填“离退休”）"


class Status(models.TextChoices):
    NORMAL = "正常", "正常"
    TRANSFERRED_OUT = "已转出", "已转出"
    SUSPENDED = "停止党籍", "停止党籍"
    LEFT = "出党", "出党"
    DECEASED = "死亡", "死亡"


class EventKind(models.TextChoices):
    JOINED = "入党", "入党"
    FULL = "转正", "转正"
    TRANSFER_IN = "转入", "转入"
    TRANSFER_OUT = "转出", "转出"
    MOVED = "组织内转接", "组织内转接"
    SUSPENDED = "停止党籍", "停止党籍"
    RESTORED = "恢复党籍", "恢复党籍"
    LEFT = "出党", "出党"
    DECEASED = "死亡", "死亡"


AGE_BANDS = [
    (0, 30, "30岁及以下"),
    (31, 40, "31至40岁"),
    (41, 50, "41至50岁"),
    (51, 60, "51至60岁"),
    (61, 200, "61岁及以上"),
]


def normalize_ethnicity(text: str) -> str | None:
    """汉 → 汉族 and the like; None when it is none of the recognised names."""
    t = "".join(text.split())
    if t in ETHNICITIES:
        return t
    if t + "族" in ETHNICITIES:
        return t + "族"
    return None
