import pytest

from dangjian.core import audit
from dangjian.core.models import AuditAction, AuditEntry


@pytest.mark.django_db
def test_chain_verifies_and_detects_tampering_and_deletion():
    for i in range(5):
        audit.record(AuditAction.OTHER, actor_name="测试", object_repr=f"对象{i}")
    assert audit.verify_chain() is None
    third = AuditEntry.objects.order_by("id")[2]
    # Tamper below the application (as an attacker with database access would).
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("UPDATE core_auditentry SET object_repr = %s WHERE id = %s", ["篡改", third.id])
    problem = audit.verify_chain()
    assert problem is not None and problem.entry_id == third.id


@pytest.mark.django_db
def test_entries_cannot_be_changed_or_deleted_through_the_application():
    audit.record(AuditAction.OTHER, actor_name="测试")
    entry = AuditEntry.objects.exclude(action=audit.GENESIS).get()
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(note="x")
