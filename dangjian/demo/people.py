"""Believable people for the demo bureau: names, ID numbers, dates. Pure (no database), driven by one
`random.Random` so that a seed always gives the same people."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from dangjian.core.idnumber import make_id_number
from dangjian.core.periods import add_months, add_years

# Common surnames, most frequent first; the weights fall off as in a real county roster (王、李、张 lead).
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏"
    "钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文牛岳翟申褚耿聂"
)
SURNAME_WEIGHTS = [max(1.0, 30.0 / (1 + i * 0.35)) for i in range(len(SURNAMES))]

# Given-name characters by generation: older members carry the names of their era (建国、秀英), younger ones
# the names of theirs (浩然、欣怡).
GIVEN = {
    (
        "男",
        "old",
    ): "建国 国庆 卫东 建军 保国 志刚 国强 振华 德胜 树林 玉成 长江 新民 文革 红军 永福 金山 继承 富贵 广才 "
    "明 刚 军 勇 平 华 林 强 斌 忠 诚 庆 海 德 福 山".split(),
    (
        "女",
        "old",
    ): "秀英 桂兰 玉兰 淑珍 凤英 秀兰 桂英 玉梅 秀珍 素芳 爱华 红梅 淑华 凤兰 桂荣 丽华 秀云 玉珍 春花 翠萍 "
    "英 兰 珍 芳 霞 梅 华 琴 萍 云".split(),
    ("男", "mid"): "伟 磊 涛 斌 超 明 辉 鹏 军 勇 杰 峰 波 亮 强 刚 健 东 宁 "
    "海涛 志强 建华 晓东 永刚 学军 红伟 海军 俊峰 立新 卫国 志勇 新华 晓明 建伟 国伟 文涛 宏伟 亚军 春雷".split(),
    ("女", "mid"): "丽 娟 敏 静 燕 艳 霞 红 玲 萍 芳 娜 "
    "丽娟 海燕 晓丽 红霞 春燕 艳红 秀丽 丽萍 晓燕 玉洁 彩霞 雪梅 美玲 慧敏 丽君 文静 小红 桂芳 爱玲 晓红".split(),
    ("男", "young"): "浩 宇 鑫 帆 凯 旭 昊 博 晨 阳 "
    "浩然 子豪 俊杰 宇航 一鸣 晨阳 博文 天宇 志远 嘉豪 思远 家乐 明轩 子健 泽宇 文博 梓豪 鹏飞 佳乐 皓轩".split(),
    ("女", "young"): "婷 雪 颖 璐 倩 琳 瑶 欣 月 佳 "
    "欣怡 梦瑶 雨涵 佳怡 思雨 诗涵 婉婷 梓涵 一诺 佳琪 雅琪 晓雯 紫薇 梦婷 晨曦 心怡 雨萱 可欣 静怡 梦洁".split(),
}

# Real county-level area codes of 商丘市 (4114xx), the home county weighted most (people move within a city).
AREA_CODES = [
    "411425",
    "411425",
    "411425",
    "411425",
    "411402",
    "411403",
    "411421",
    "411422",
    "411423",
    "411424",
    "411426",
    "411481",
]
MINORITIES = ["回族", "回族", "回族", "满族", "蒙古族", "壮族", "土家族"]
MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "155",
    "158",
    "159",
    "166",
    "176",
    "180",
    "181",
    "182",
    "186",
    "187",
    "188",
    "189",
    "199",
]
LANDLINE_AREA = "0370"  # 商丘

EDUCATION_MIX = {
    # category/setting → (学历, weight)
    "office": [("研究生", 3), ("大学本科", 12), ("大学专科", 4), ("中专", 1)],
    "institution": [("研究生", 1), ("大学本科", 10), ("大学专科", 6), ("中专", 2), ("高中", 1)],
    "enterprise": [("大学本科", 4), ("大学专科", 6), ("中专", 5), ("高中", 5), ("初中及以下", 1)],
    "laid_off": [("大学专科", 2), ("中专", 5), ("高中", 8), ("初中及以下", 5)],
    "retired": [("大学本科", 2), ("大学专科", 4), ("中专", 5), ("高中", 6), ("初中及以下", 6)],
}


def weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def era(birth_year: int) -> str:
    if birth_year < 1962:
        return "old"
    if birth_year < 1988:
        return "mid"
    return "young"


class NameBook:
    """Draws names, never the same full name twice (a roster is searched by name)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def draw(self, gender: str, birth_year: int) -> str:
        pool = GIVEN[(gender, era(birth_year))]
        for _ in range(200):
            name = self.rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0] + self.rng.choice(pool)
            if len(name) == 2 and self.rng.random() < 0.45:
                # Two-character names are common but collide fast; lengthen some with a generation character.
                name = name[0] + self.rng.choice("子文志晓永国玉春海立") + name[1]
            if name not in self.used:
                self.used.add(name)
                return name
        raise RuntimeError("演示姓名已用尽")  # unreachable with ~600 people and these pools


class IdBook:
    """Valid GB 11643 numbers, unique, whose 17th digit agrees with the gender."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def draw(self, birth: date, gender: str) -> str:
        for _ in range(1000):
            seq = self.rng.randrange(0, 1000)
            if (seq % 2 == 1) != (gender == "男"):
                seq = (seq + 1) % 1000
            number = make_id_number(self.rng.choice(AREA_CODES), birth, seq)
            if number not in self.used:
                self.used.add(number)
                return number
        raise RuntimeError("演示身份号码已用尽")


def random_day(rng: random.Random, start: date, end: date) -> date:
    """A day in [start, end] (end ≥ start)."""
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def phone_number(rng: random.Random, landline_share: float = 0.1) -> str:
    if rng.random() < landline_share:
        return f"{LANDLINE_AREA}-{rng.randint(2, 8)}{rng.randint(0, 999999):06d}"
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randint(0, 99999999):08d}"


@dataclass
class Person:
    name: str
    gender: str
    ethnicity: str
    id_number: str
    birth_date: date
    education: str
    join_date: date
    full_date: date | None
    category: str  # 在职 / 离退休 / 下岗失业
    phone: str


# Ages (at `today`) by category: the in-service work, the laid-off lost their jobs in the 1990s–2000s
# restructurings, the retired are past the retirement age.
AGE_RANGE = {"在职": (24, 59), "下岗失业": (45, 62), "离退休": (60, 88)}


def _join_date(rng: random.Random, birth: date, today: date, category: str) -> date:
    """入党 on or after the 18th birthday; a fair share on 七一; a full member joined over a year ago."""
    earliest = add_years(birth, 18)
    latest_age = {"在职": 45, "下岗失业": 40, "离退休": 50}[category]
    latest = min(add_years(birth, latest_age), add_years(today, -1) - timedelta(days=30))
    latest = max(latest, earliest)
    day = random_day(rng, earliest, latest)
    if rng.random() < 0.15 and date(day.year, 7, 1) >= earliest and date(day.year, 7, 1) <= latest:
        day = date(day.year, 7, 1)
    return day


def full_date_after(rng: random.Random, join: date, today: date) -> date:
    """转正 one year after 入党 (细则 第三十二条), give or take the time the meeting takes; a few were extended."""
    full = add_years(join, 1) + timedelta(days=rng.randint(0, 20))
    if rng.random() < 0.02:
        full = add_months(join, 18)  # 延长预备期 six months
    return min(full, today)


def make_person(
    rng: random.Random,
    names: NameBook,
    ids: IdBook,
    today: date,
    *,
    category: str,
    setting: str,
    female_share: float = 0.32,
    probation_join: date | None = None,
) -> Person:
    """One member. `probation_join` makes a 预备党员 who joined that day (then the person is young)."""
    gender = "女" if rng.random() < female_share else "男"
    if probation_join is not None:
        age = rng.randint(24, 34)
    else:
        lo, hi = AGE_RANGE[category]
        age = rng.randint(lo, hi)
    birth = random_day(rng, add_years(today, -age - 1) + timedelta(days=1), add_years(today, -age))
    if probation_join is not None:
        join, full = probation_join, None
    else:
        join = _join_date(rng, birth, today, category)
        full = full_date_after(rng, join, today)
    edu_key = {"下岗失业": "laid_off", "离退休": "retired"}.get(category, setting)
    ethnicity = "汉族" if rng.random() < 0.95 else rng.choice(MINORITIES)
    return Person(
        name=names.draw(gender, birth.year),
        gender=gender,
        ethnicity=ethnicity,
        id_number=ids.draw(birth, gender),
        birth_date=birth,
        education=weighted(rng, EDUCATION_MIX[edu_key]),
        join_date=join,
        full_date=full,
        category=category,
        phone=phone_number(rng, 0.25 if category == "离退休" else 0.05),
    )
