"""Every existing requirement becomes revision 1, valid from the beginning (its rule as it stands); every
revoked exemption is revoked from its first day, which is what revocation meant before it was dated."""

import datetime

from django.db import migrations

BEGINNING = datetime.date(1900, 1, 1)
RULE_FIELDS = ["kind_id", "org_kinds", "applicability", "period", "minimum", "citation", "citation_status"]


def forwards(apps, schema_editor):
    Requirement = apps.get_model("compliance", "Requirement")
    Revision = apps.get_model("compliance", "RequirementRevision")
    Exemption = apps.get_model("compliance", "Exemption")
    for req in Requirement.objects.all():
        if not Revision.objects.filter(requirement=req).exists():
            Revision.objects.create(
                requirement=req,
                number=1,
                valid_from=BEGINNING,
                reason="初始版本",
                **{f: getattr(req, f) for f in RULE_FIELDS},
            )
    for ex in Exemption.objects.filter(revoked=True, revoked_from__isnull=True):
        ex.revoked_from = ex.starts_on
        ex.save(update_fields=["revoked_from"])


class Migration(migrations.Migration):
    dependencies = [("compliance", "0004_requirement_revisions_dated_revocation")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
