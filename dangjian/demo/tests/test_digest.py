"""`seed_demo --seed 7` on a fixed day builds exactly the bureau it built before the demo code moved into
dangjian/demo (issue 17 part 5): row counts per table and a hash of every table's content, and the command's
output. EXPECTED was computed on the code before the move.

Ids are written as ranks (the n-th row of the target table). The seed's content still depends on the raw ids
(audit diffs and the chain over them, many-to-many links added from a set of ids, the 年终总评's frozen results),
so the test first puts every table's next id one past its highest row, as on a fresh database: on PostgreSQL a
sequence does not roll back with the test transaction, so the ids an earlier test drew would otherwise shift the
seed's (measured: the same four tables differed after other tests, identical when the test ran alone). Password hashes are salted and left out. When a change to the demo is meant to
change the data, replace EXPECTED with the dict printed by the failing assertion.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SKIPPED = {("accounts.user", "password"), ("core.auditentry", "hash"), ("core.auditentry", "prev_hash")}

EXPECTED: dict[str, Any] = {
    "output": "8ebf3a603fb93b67",
    "accounts_user": [10, "f673368e2c1cd0f6"],
    "activities_activity": [1772, "46bfb7c6116441f1"],
    "activities_activity_kinds": [2072, "33d49c02bcb3d23e"],
    "activities_activitykind": [14, "8d839c2c41b3bed7"],
    "activities_attendance": [18253, "23822c7e39703dc3"],
    "activities_reviewstep": [2933, "e374e13b0f7f9b94"],
    "compliance_exemption": [2, "1e07dee88ca4293b"],
    "compliance_requirement": [8, "533738b73cf3d03e"],
    "compliance_requirementrevision": [8, "7ade65210c5562cb"],
    "core_auditchainhead": [1, "8b9d1fd354a63b2e"],
    "core_auditentry": [284, "4ce77c8b0bbb717e"],
    "dues_arrearscase": [1, "25bf575977f38b2a"],
    "dues_arrearsstep": [1, "40e8477a57614f15"],
    "dues_duesbase": [1020, "fc25089352149efc"],
    "dues_duesconfig": [1, "6bdd7608cd95f36f"],
    "dues_duespayment": [13496, "0d2e61638e38741c"],
    "dues_duesremittance": [418, "71e0f53970a32592"],
    "dues_paymentmethod": [3, "b146a8876a9b0dca"],
    "duties_brandcase": [5, "86e216c1c6e6ec2c"],
    "duties_casephoto": [5, "53f045489586f77f"],
    "duties_casereview": [12, "1578fbe9ba1ecf25"],
    "duties_duty": [48, "ae489f1b1342ef54"],
    "duties_dutylist": [7, "37557263d7258339"],
    "duties_dutylist_in_charge_units": [12, "bf2ec46ff490708a"],
    "duties_dutyreport": [105, "3ed5c9cd46b7fcf1"],
    "duties_firstresponsible": [1, "5ec8a97c13a9bc0d"],
    "duties_leadinggroup": [1, "653cd2fc23393140"],
    "duties_leadinggroupmember": [10, "e11753a2b1773d3a"],
    "duties_notice": [12, "407e0c68cc0bbecf"],
    "duties_noticetarget": [231, "98c6072181c4c187"],
    "duties_noticetemplate": [1, "9299dde87dd17e66"],
    "duties_rulecitation": [7, "f492b57c91adf940"],
    "duties_ruledocument": [5, "1aa653ac8fcd1e81"],
    "duties_ruleversion": [6, "975708f96b1ef524"],
    "duties_workplan": [2, "1f04104610b4f1fa"],
    "duties_workplanitem": [22, "31ec0c0852d6abeb"],
    "duties_workplanprogress": [68, "3ae0e4049be3491b"],
    "honors_ballot": [252, "7011e91392b58423"],
    "honors_honor": [13, "b7cac9221ea39bc4"],
    "honors_honorround": [1, "f5e2d8617eca61fd"],
    "honors_membergrade": [599, "7cf6e3cd54c0cb37"],
    "honors_nomination": [11, "7c585fcb1445be16"],
    "honors_reviewreport": [21, "23b5c54a7eab7dce"],
    "honors_reviewround": [1, "d9f3951c1f157b98"],
    "honors_reviewround_evaluators": [6, "aa802f346a4def87"],
    "honors_voterroll": [6, "15f0274d1ecc4ea0"],
    "members_member": [604, "0349918156ebdeb4"],
    "members_membershipevent": [1214, "f3c1a19b56cf793e"],
    "notify_notification": [25, "0d10e380df67f59e"],
    "orgs_committee": [21, "5664f986cd375dc3"],
    "orgs_organization": [23, "7d5031a3e43fb3d1"],
    "orgs_organization_units": [26, "148a3a606d59cc54"],
    "orgs_partygroup": [20, "1c8461438637c41c"],
    "orgs_post": [119, "fadb0c698498fbfe"],
    "orgs_renewalstep": [7, "e30e4ca19fe6b5cc"],
    "orgs_term": [41, "dff4225066c1f8b9"],
    "orgs_unit": [20, "a885938d4db2263e"],
    "recruitment_candidate": [11, "ded73f0fa7e967ec"],
    "recruitment_candidate_contacts": [7, "02d4a3a9516843d6"],
    "recruitment_candidate_introducers": [8, "016773cfa08c4f9a"],
    "recruitment_holiday": [9, "e149e7b3eb77c447"],
    "recruitment_recruitmentstep": [102, "7168722e4dd08f2e"],
    "reports_reportrule": [9, "1491940d51dbf0fb"],
    "study_studyconfig": [1, "874832640cc75350"],
    "study_studyrecord": [7806, "40c47bd9b84aa2a0"],
    "supervision_adjustment": [2, "5a20e3a13b4a7891"],
    "supervision_appraisal": [1, "2a2ed68fd267c40d"],
    "supervision_appraisalversion": [1, "c80650afa6d4e49d"],
    "supervision_checklistitem": [8, "12fd5f9b5805035d"],
    "supervision_finding": [48, "4ef020ada0e1306b"],
    "supervision_indicator": [13, "83339ac4b9a5ec0b"],
    "supervision_inspectionround": [1, "18dcda2c2e8047c0"],
    "supervision_inspectiontarget": [6, "63ebd7edddf0aae0"],
    "supervision_manualscore": [21, "d2ee696b8ffeea1a"],
    "supervision_observation": [1, "ac9a162ad6f78b93"],
    "supervision_observationrater": [5, "a55c288dc1ca9caf"],
    "supervision_observationscore": [150, "182c6b9d08bba98b"],
    "supervision_observationtarget": [6, "c1e50c0398ae0c98"],
    "supervision_rectification": [6, "f7644831a470b688"],
    "supervision_rectificationevent": [15, "0ad8b3cbeb26fbee"],
    "supervision_rubricitem": [5, "6079f5699185dd84"],
}


def _tables() -> list[type[models.Model]]:
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model.__module__.startswith("dangjian.") or model._meta.auto_created:
            if model._meta.db_table.split("_")[0] in {"auth", "django"}:
                continue
            if model._meta.label_lower == "core.datastamp":  # memo bookkeeping: PostgreSQL's transaction ids
                continue
            found.append(model)
    return sorted(found, key=lambda m: m._meta.db_table)


def restart_sequences() -> None:
    """Every table's next id one past its highest row (1 when empty), on either database."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DELETE FROM sqlite_sequence")  # AUTOINCREMENT then continues from max(rowid)
            return
        models_ = apps.get_models(include_auto_created=True)
        for sql in connection.ops.sequence_reset_sql(no_style(), models_):
            cursor.execute(sql)


def _skipped(label: str, f: models.Field) -> bool:
    # auto_now(_add) stamps also mark rows the migrations wrote when the test database was made (not frozen).
    return (label, f.name) in SKIPPED or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)


def _label(model: type[models.Model]) -> str:
    return model._meta.db_table


def digest() -> dict[str, Any]:
    tables = _tables()
    ranks: dict[str, dict[Any, int]] = {}
    for model in tables:
        if isinstance(model._meta.pk, models.UUIDField):
            continue
        pks = model._default_manager.order_by("pk").values_list("pk", flat=True)
        ranks[model._meta.label_lower] = {pk: i for i, pk in enumerate(pks)}

    def as_rank(label: str, value: Any) -> Any:
        if value in (None, ""):
            return value
        book = ranks.get(label)
        if book is None:
            return value
        key = value if value in book else (int(value) if str(value).isdigit() else value)
        return ("#", book.get(key, "?"))

    out: dict[str, Any] = {}
    for model in tables:
        label = model._meta.label_lower
        fields = [f for f in model._meta.concrete_fields if not f.primary_key and not _skipped(label, f)]
        uuid_pk = isinstance(model._meta.pk, models.UUIDField)
        names = [f.attname for f in fields]
        gfks = {g.fk_field: g.ct_field for g in model._meta.private_fields if hasattr(g, "fk_field")}
        lines = []
        for row in model._default_manager.order_by("pk").values(*names):
            values = []
            for f in fields:
                v = row[f.attname]
                if f.is_relation and f.related_model is not None:
                    if f.related_model._meta.label_lower == "contenttypes.contenttype" and v is not None:
                        ct = apps.get_model("contenttypes", "ContentType").objects.get_for_id(v)
                        v = f"{ct.app_label}.{ct.model}"
                    else:
                        v = as_rank(f.related_model._meta.label_lower, v)
                elif f.name in gfks and row.get(gfks[f.name] + "_id"):
                    ct = apps.get_model("contenttypes", "ContentType").objects.get_for_id(
                        row[gfks[f.name] + "_id"]
                    )
                    v = as_rank(f"{ct.app_label}.{ct.model}", v)
                elif label == "core.auditentry" and f.name == "object_id":
                    v = as_rank(row["model"].lower(), v)
                if isinstance(f, models.FileField) and v:
                    v = re.sub(r"[0-9a-f]{32}", "…", v)  # random_name: a uuid4 per stored file
                values.append(v)
            lines.append(json.dumps(values, default=str, ensure_ascii=False, sort_keys=True))
        if uuid_pk:  # random keys: the order of the rows says nothing
            lines.sort()
        if lines:
            out[_label(model)] = [len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]]
    return out


@pytest.mark.django_db
def test_seed_demo_builds_the_same_bureau_and_says_the_same():
    out = StringIO()
    restart_sequences()
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", "--seed", "7", stdout=out)
    said = re.sub(r"用时 [0-9.]+ 秒", "用时 … 秒", out.getvalue())
    got = {"output": hashlib.sha256(said.encode()).hexdigest()[:16], **digest()}
    assert got == EXPECTED, json.dumps(got, ensure_ascii=False, indent=1)
