"""The audit format changes once (issues 14 and 17): named events and the keyed chain.

`action` becomes a named event, `<subject>.<verb>`. The entries already written keep every hashed field but
`action`, which is renamed by the rule below (a frozen copy of core.audit_events.default_name, which
core.audit_events.legacy_action inverts, so that the old, unkeyed segment still verifies against the values it was
hashed with). `genesis_hash` on the chain head: the keyed segment starts with a genesis entry, written by the
first write after this migration (it needs the key, which a migration must not require).
"""

from django.db import migrations, models

LEGACY_VERBS = {
    "create", "update", "delete", "login", "login_failed", "logout",
    "export", "view_sensitive", "permission", "import", "other",
}
ACCOUNT_VERBS = {"login", "login_failed", "logout"}


def named(verb, model_label):
    if verb in ACCOUNT_VERBS:
        return f"account.{verb}"
    return f"{model_label.rsplit('.', 1)[-1] if model_label else 'system'}.{verb}"


def rename_actions(apps, schema_editor):
    AuditEntry = apps.get_model("core", "AuditEntry")
    pairs = AuditEntry.objects.filter(action__in=LEGACY_VERBS).values_list("action", "model").order_by().distinct()
    for verb, model_label in list(pairs):
        AuditEntry.objects.filter(action=verb, model=model_label).update(action=named(verb, model_label))


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_fewer_audit_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditchainhead',
            name='genesis_hash',
            field=models.CharField(blank=True, max_length=64, verbose_name='创世记录哈希'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='action',
            field=models.CharField(db_index=True, max_length=64, verbose_name='操作'),
        ),
        # Not reversible: a named event does not fit the old 20-character column with its fixed choices.
        migrations.RunPython(rename_actions),
    ]
