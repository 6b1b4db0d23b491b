"""`report --json`: every figure the yearly report uses, in the shape design §4 fixes, built from the Metrics
keys the facts (reports.facts), the detectors (reports.problems) and 主要做法和成效 (reports.practice) record."""

from __future__ import annotations

from typing import Any

from dangjian.orgs.models import UnitKind

from .metrics import Metrics
from .practice import BUREAU_MEETINGS

# recruitment.stats.FLOWS / STOCK, repeated so that the JSON keys are fixed here
RECRUITMENT_FLOWS = ("申请人", "积极分子", "发展对象", "预备", "转正", "延长", "取消")
RECRUITMENT_STOCK = ("申请人", "入党积极分子", "发展对象", "预备党员")

# Documented in `report --help`; keys beyond design §4's minimum are this module's choice.
FIGURES_HELP = (
    "figures 的键：orgs_by_kind（党组、党委〔含机关党委〕、党总支、党支部〔含联合党支部〕、联合党支部）；"
    "units_by_kind（单位类别→个数）；members（total、在职、下岗失业、离退休、预备、女、流动）；"
    "terms_overdue / terms_missing（count、orgs：组织代码）；terms_renewed（count、on_time）；"
    "posts（total、full_time）；activities（total、by_kind：活动类型→次数）；"
    "meetings（年度党建工作会议、党组民主生活会、党组理论学习中心组学习：次数）；"
    "compliance（orgs_missed、orgs_without_records：组织代码，missed_pairs）；"
    "study（members、met、behind、recorded、rate、avg_hours）；"
    "education（site_teaching、sites、tutorial、speakers）；"
    "duties（leading_groups、work_plans、work_plan_items、work_plan_done、notices、notices_issued、"
    "notices_ack_on_time、notices_feedback_expected、notices_feedback_on_time、duty_lists、"
    "duty_occurrences_due、duty_occurrences_done、brand_cases）；"
    "supervision（inspection_rounds、inspection_targets、inspection_findings、rectifications_closed、"
    "rectifications_overdue、observations、similar_pairs）；appraisal（grades：等次→个数）；"
    "honors（优秀共产党员、优秀党务工作者、先进基层党组织、higher、reviews_held、review_reports）；"
    "recruitment（申请人、积极分子、发展对象、预备、转正、延长、取消：本年度人数；youth、educated、frontline：发展党员中；"
    "stock：年末各阶段人数；quota：计划名额）；age（total 与各年龄段人数）；no_recruitment_3y（count、orgs）。"
)


def _codes(m: Metrics, key: str) -> dict[str, Any]:
    codes = list(m.get(key, []))
    return {"count": len(codes), "orgs": codes}


def _pick(m: Metrics, keys: list[str], prefix: str = "") -> dict[str, Any]:
    return {k: m.get(prefix + k) for k in keys}


def figures(m: Metrics) -> dict[str, Any]:
    return {
        "orgs_by_kind": {
            "党组": m.get("org_dangzu"),
            "党委": m.get("org_committees"),
            "党总支": m.get("org_general_branches"),
            "党支部": m.get("org_branches"),
            "联合党支部": m.get("org_joint_branches"),
        },
        "units_by_kind": {k.label: m.get(f"units_{k.value}") for k in UnitKind},
        "members": {
            "total": m.get("members_total"),
            "在职": m.get("members_serving"),
            "下岗失业": m.get("members_laid_off"),
            "离退休": m.get("members_retired"),
            "预备": m.get("members_probationary"),
            "女": m.get("members_female"),
            "流动": m.get("members_floating"),
        },
        "terms_overdue": _codes(m, "terms_overdue"),
        "terms_missing": _codes(m, "terms_missing"),
        "terms_renewed": {"count": m.get("terms_renewed"), "on_time": m.get("terms_renewed_on_time")},
        "posts": {"total": m.get("posts_total"), "full_time": m.get("posts_full_time")},
        "activities": {
            "total": m.get("activities_total"),
            "by_kind": {
                mt.label.removeprefix("开展"): mt.value
                for mt in m.rows()
                if mt.key.startswith("activities_") and mt.key != "activities_total"
            },
        },
        "meetings": {label: m.get(f"meetings_{key}") for key, label in BUREAU_MEETINGS.items()},
        "compliance": {
            "orgs_missed": list(m.get("compliance_orgs_missed", [])),
            "orgs_without_records": list(m.get("compliance_orgs_silent", [])),
            "missed_pairs": m.get("compliance_missed_pairs"),
        },
        "study": _pick(m, ["members", "met", "behind", "recorded", "rate", "avg_hours"], "study_"),
        "education": {
            "site_teaching": m.get("activities_site_teaching"),
            "sites": list(m.get("education_sites", [])),
            "tutorial": m.get("activities_tutorial"),
            "speakers": list(m.get("education_speakers", [])),
        },
        "duties": _pick(
            m,
            [
                "leading_groups",
                "work_plans",
                "work_plan_items",
                "work_plan_done",
                "notices",
                "notices_issued",
                "notices_ack_on_time",
                "notices_feedback_expected",
                "notices_feedback_on_time",
                "duty_lists",
                "duty_occurrences_due",
                "duty_occurrences_done",
                "brand_cases",
            ],
        ),
        "supervision": _pick(
            m,
            [
                "inspection_rounds",
                "inspection_targets",
                "inspection_findings",
                "rectifications_closed",
                "rectifications_overdue",
                "observations",
                "similar_pairs",
            ],
        ),
        "appraisal": {"grades": dict(m.get("appraisal_grades", {}))},
        "honors": {
            **{c: m.get(f"honors_{c}") for c in ("优秀共产党员", "优秀党务工作者", "先进基层党组织")},
            "higher": m.get("honors_higher"),
            "reviews_held": m.get("reviews_held"),
            "review_reports": m.get("review_reports"),
        },
        "recruitment": {
            **{flow: m.get(f"recruitment_flow_{i}") for i, flow in enumerate(RECRUITMENT_FLOWS)},
            "youth": m.get("recruitment_youth"),
            "educated": m.get("recruitment_educated"),
            "frontline": m.get("recruitment_frontline"),
            "stock": {stage: m.get(f"recruitment_stock_{i}") for i, stage in enumerate(RECRUITMENT_STOCK)},
            "quota": m.get("recruitment_quota"),
        },
        "age": dict(m.get("members_by_age", {})),
        "no_recruitment_3y": _codes(m, "no_recruitment_orgs"),
    }
