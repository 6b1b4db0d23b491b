"""The default 收缴方式 (issue 16: 现金 / 转账 / 代交 by another person with the branch's consent; no online
payment). Idempotent: tests run data migrations again after a flush (conftest.reseed_builtin_data)."""

from django.db import migrations

DEFAULTS = (("现金", False, 10), ("转账", False, 20), ("代交", True, 30))


def seed(apps, schema_editor):
    PaymentMethod = apps.get_model("dues", "PaymentMethod")
    for name, needs_proxy, sort in DEFAULTS:
        PaymentMethod.objects.get_or_create(name=name, defaults={"needs_proxy": needs_proxy, "sort": sort})


class Migration(migrations.Migration):
    dependencies = [("dues", "0001_dues_bases_payments_remittances_cases")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
