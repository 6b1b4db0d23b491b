"""Named audit events: `<subject>.<verb>` (member.transfer_out, activity.approve …) and their Chinese labels.

The table below is the one place a name gets its label; it names no domain model (core imports no domain app), and
an app may add its own with `register`. A name that is not in the table but ends in one of the generic verbs
(`member.create`, `organization.update` …: what `log_create` / `log_update` / `log_delete` write by default) is
labelled from the verb and the entry's object type.

`default_name` is also the rule by which migration 0004 renamed the entries written before named events existed
(`create` on a members.member row became `member.create`); `legacy_action` undoes it, so that the old, unkeyed
segment of the chain is verified against the values it was hashed with.
"""

from __future__ import annotations

from django.apps import apps

# The values of the `action` column before named events (core.models.AuditAction), with their labels.
VERB_LABELS: dict[str, str] = {
    "create": "新增",
    "update": "修改",
    "delete": "删除/注销",
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出",
    "export": "导出",
    "view_sensitive": "查看敏感信息",
    "permission": "权限变更",
    "import": "导入",
    "other": "其他",
}
# Verbs that concern a person's session rather than an object: named after the account, whatever the row's model.
ACCOUNT_VERBS = frozenset({"login", "login_failed", "logout"})
# Subject of an entry that names no object (a command, a job).
SYSTEM = "system"

EVENTS: dict[str, str] = {
    # the audit chain itself
    "audit.genesis": "审计链创世记录",
    "system.backup": "备份数据",
    "system.restore": "从备份恢复",
    # accounts
    "account.login": "登录",
    "account.login_failed": "登录失败",
    "account.logout": "退出",
    "account.reset_password": "重置密码",
    "account.reset_otp": "解除动态口令",
    "account.bind_otp": "绑定动态口令",
    "account.change_password": "修改密码",
    "account.unlock": "解除登录锁定",
    "account.disable": "停用账号",
    "account.enable": "启用账号",
    "account.display": "切换大字模式",
    # members
    "member.transfer_out": "党员转出",
    "member.suspend": "停止党籍",
    "member.leave": "出党",
    "member.decease": "党员去世",
    "member.move": "组织内转接",
    "member.restore": "恢复党籍",
    "member.full": "预备党员转正",
    "member.view_sensitive": "查看党员完整身份信息",
    "member.export": "导出党员名册",
    # activities (review)
    "activity.submit": "活动记录提交审核",
    "activity.withdraw": "活动记录撤回",
    "activity.approve": "活动记录审核通过",
    "activity.return": "活动记录退回",
    "activity.checkin_open": "开始扫码签到",
    "activity.check_in": "扫码签到",
    # honors (review)
    "nomination.approve": "评先推荐审核通过",
    "nomination.return": "评先推荐退回",
    "nomination.resubmit": "评先推荐重新提交",
    # orgs
    "organization.move": "调整党组织隶属关系",
    "organization.dissolve": "撤销党组织",
    "term.end": "换届，本届任期结束",
    # supervision (rectification.<action>: the steps of a 整改事项, flow.Action)
    "rectification.start": "开始整改",
    "rectification.evidence": "提交整改材料",
    "rectification.submit": "整改提交验收",
    "rectification.return": "整改退回重改",
    "rectification.close": "整改验收销号",
    "rectification.cancel": "撤销整改事项",
    "rectification.deadline": "调整整改期限",
    "rectification.reopen": "重新下达整改",
    "rectification.withdraw": "检查结论更正，整改撤销",
    "inspectionround.void": "作废抽查轮次",
    "observation.score": "录入观摩评分",
    "observation.finalize": "观摩评分定稿",
    "observation.reopen": "撤销观摩评分定稿",
    "observation.cancel": "取消观摩活动",
    "indicator.deactivate": "停用考核指标",
    "adjustment.revoke": "撤销加减分或否决事项",
    "appraisal.publish": "发布年终总评结果",
}


def register(events: dict[str, str]) -> None:
    """Add an app's events (call from its AppConfig.ready); a name keeps the label it was first given."""
    for name, label in events.items():
        EVENTS.setdefault(name, label)


def _subject(model_label: str) -> str:
    return model_label.rsplit(".", 1)[-1] if model_label else SYSTEM


def default_name(verb: str, model_label: str) -> str:
    """The event name for a generic verb on an object of `model_label` ("members.member" → "member.create")."""
    if verb in ACCOUNT_VERBS:
        return f"account.{verb}"
    return f"{_subject(model_label)}.{verb}"


def event_name(action: str, model_label: str) -> str:
    """A named event stays as it is; a bare verb (AuditAction.CREATE …) gets its default name."""
    return action if "." in action else default_name(action, model_label)


def legacy_action(name: str, model_label: str) -> str | None:
    """The pre-0004 `action` value an old-segment entry was hashed with, or None when `name` is not one that
    migration 0004 could have produced for this entry (then the entry was altered)."""
    verb = name.rsplit(".", 1)[-1]
    if verb in VERB_LABELS and default_name(verb, model_label) == name:
        return verb
    return None


def _object_type(model_label: str) -> str:
    if not model_label:
        return ""
    try:
        return str(apps.get_model(model_label)._meta.verbose_name)
    except (LookupError, ValueError):
        return model_label


def label(name: str, model_label: str = "") -> str:
    """The Chinese label of an event: from the table, else the generic verb with the object type."""
    if name in EVENTS:
        return EVENTS[name]
    verb = name.rsplit(".", 1)[-1]
    if verb in VERB_LABELS:
        kind = _object_type(model_label)
        return f"{kind}·{VERB_LABELS[verb]}" if kind else VERB_LABELS[verb]
    return name


def filter_choices() -> list[tuple[str, str]]:
    """The audit page's event filter: every named event, then each generic verb over all object types
    (value `*.verb`)."""
    named = sorted(EVENTS.items(), key=lambda kv: kv[0])
    generic = [(f"*.{verb}", f"{text}（各类对象）") for verb, text in VERB_LABELS.items()]
    return [*named, *generic]
