"""Data versions counted by triggers, and results memoised under them."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from dangjian import factories
from dangjian.activities.models import Activity, ActivityKind, Attendance
from dangjian.core import memo, stamps
from dangjian.members.models import Member

ACT = Activity  # topics by model


def version(topic: str) -> int:
    return stamps.versions([topic])[1]


@pytest.mark.django_db
def test_every_tracked_table_has_its_triggers():
    assert stamps.installed_triggers() >= stamps.expected_triggers(connection.vendor)


@pytest.mark.django_db
def test_activity_writes_count_in_the_month_of_the_record(cast):
    march, april = stamps.month_topic(ACT, 2026, 3), stamps.month_topic(ACT, 2026, 4)
    before = stamps.versions([march, april])
    a = Activity.objects.create(
        organization=cast["a"], date=date(2026, 3, 5), topic="主题党日", minutes="记录"
    )
    after_insert = stamps.versions([march, april])
    assert after_insert[1] > before[1] and after_insert[2] == before[2]
    a.kinds.set(
        ActivityKind.objects.filter(key="theme_day")
    )  # the through table counts for the record's month
    assert version(march) > after_insert[1]
    m = version(march)
    Activity.objects.filter(pk=a.pk).update(date=date(2026, 4, 1))  # a moved record changes both months
    assert version(march) > m and version(april) > after_insert[2]
    att = stamps.month_topic(Attendance, 2026, 4)
    n = version(att)
    Attendance.objects.create(activity=a, member=cast["members_a"][0], present=True)
    assert version(att) == n + 1


@pytest.mark.django_db
def test_table_writes_count_including_bulk_and_queryset_updates(cast):
    n = version("members_member")
    factories.member(cast["a"])
    assert version("members_member") > n
    n = version("members_member")
    Member.objects.filter(organization=cast["a"]).update(workplace="批量")
    assert version("members_member") > n
    n, other = version("members_member"), version("orgs_term")
    Member.objects.bulk_create([Member(**_member_fields(cast, i)) for i in range(3)])
    assert version("members_member") > n and version("orgs_term") == other


def _member_fields(cast, i: int) -> dict:
    m = cast["members_a"][0]
    return {
        "organization": cast["a"],
        "name": f"批量党员{i}",
        "id_number": f"11010519491231{i:03d}" + "X",
        "gender": m.gender,
        "birth_date": m.birth_date,
        "join_date": m.join_date,
        "category": m.category,
    }


@pytest.mark.django_db
def test_a_new_epoch_changes_every_version():
    before = stamps.versions(["members_member"])
    stamps.new_epoch()
    after = stamps.versions(["members_member"])
    assert after[0] != before[0] and after[1] == before[1]


@pytest.mark.django_db
def test_compact_keeps_the_sums(cast):
    from dangjian.core.models import DataStamp

    factories.member(cast["a"])
    DataStamp.objects.create(topic="bench:generated:small", txn=-1, n=78)  # a record, not a counter
    before = stamps.versions(["members_member", "orgs_organization"])
    folded = stamps.compact()
    assert DataStamp.objects.filter(topic="bench:generated:small", txn=-1, n=78).exists()
    assert stamps.versions(["members_member", "orgs_organization"]) == before
    if connection.vendor == "postgresql":
        assert folded > 0
        with connection.cursor() as c:
            c.execute("SELECT COUNT(*) FROM core_datastamp WHERE txn > 0")  # no per-transaction rows left
            assert c.fetchone()[0] == 0
    else:
        assert folded == 0


@pytest.mark.django_db(transaction=True)
def test_memoised_until_a_topic_it_read_is_written():
    calls = []

    def compute():
        calls.append(1)
        return Member.objects.count()

    def get():
        return memo.memoized("test-count", None, ["members_member"], compute)

    org = factories.org()
    assert get() == 0 and get() == 0 and len(calls) == 1
    factories.member(org)  # committed: a new version of the topic
    assert get() == 1 and len(calls) == 2
    factories.org()  # another topic: still valid
    assert get() == 1 and len(calls) == 2
    with transaction.atomic():  # inside a transaction nothing is memoised
        assert get() == 1 and len(calls) == 3
    try:
        with transaction.atomic():
            factories.member(org)
            assert get() == 2
            raise RuntimeError("回滚")
    except RuntimeError:
        pass
    assert get() == 1  # the rolled-back count was never stored


@pytest.mark.django_db(transaction=True)
def test_a_shared_result_serves_a_new_worker_process_without_computing_again():
    calls = []

    def get():
        return memo.memoized(
            "test-shared", 1, ["orgs_organization"], lambda: calls.append(1) or len(calls), shared=True
        )

    assert get() == 1
    with memo._lock:
        memo._store.clear()  # what a freshly started worker process has
    hits = memo.stats["shared_hits"]
    assert get() == 1 and len(calls) == 1 and memo.stats["shared_hits"] == hits + 1
    factories.org()  # a write to the topic: a new key, computed again
    assert get() == 2


@pytest.mark.django_db(transaction=True)
def test_threads_asking_for_the_same_result_compute_it_once():
    import threading
    import time

    from django.db import connections

    calls = []

    def compute():
        calls.append(1)
        time.sleep(0.2)
        return 42

    results = []

    def ask():
        try:
            results.append(memo.memoized("test-flight", None, ["orgs_unit"], compute))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [42] * 4 and len(calls) == 1


@pytest.mark.django_db(transaction=True)
def test_a_counted_paginator_counts_each_query_once_per_version():
    org = factories.org()
    factories.member(org)
    factories.member(org, name="李四")
    everyone = Member.objects.order_by("pk")
    li = Member.objects.filter(name="李四").order_by("pk")

    def pages(qs):
        return memo.CountedPaginator(qs, 1, ["members_member"]).count

    with CaptureQueriesContext(connection) as ctx:
        assert pages(everyone) == 2 and pages(li) == 1  # each filter has a total of its own
    counted = [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counted) == 2
    with CaptureQueriesContext(connection) as ctx:
        assert pages(everyone) == 2 and pages(li) == 1
    assert not [q for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    factories.member(org, name="李四")  # a write to the topic: counted again
    assert pages(everyone) == 3 and pages(li) == 2


@pytest.mark.django_db
def test_counted_per_topic_counts_each_month_written_and_puts_the_triggers_back(cast):
    march, april, may = (stamps.month_topic(Attendance, 2026, m) for m in (3, 4, 5))
    a3 = Activity.objects.create(organization=cast["a"], date=date(2026, 3, 5), topic="三月", minutes="记录")
    a4 = Activity.objects.create(organization=cast["a"], date=date(2026, 4, 5), topic="四月", minutes="记录")
    before = stamps.versions([march, april, may])
    members = cast["members_a"][:2]
    with transaction.atomic(), stamps.counted_per_topic(Attendance):
        Attendance.objects.bulk_create(
            [Attendance(activity=a, member=m, present=True) for a in (a3, a4) for m in members]
        )
    after = stamps.versions([march, april, may])
    assert after[1] > before[1] and after[2] > before[2] and after[3] == before[3]
    assert stamps.installed_triggers() >= stamps.expected_triggers(connection.vendor)
    n = version(april)
    Attendance.objects.filter(activity=a4).delete()
    Attendance.objects.create(activity=a4, member=members[0], present=True)  # counted per row again
    assert version(april) > n


@pytest.mark.django_db
def test_counted_per_topic_puts_the_triggers_back_when_the_block_fails(cast):
    with pytest.raises(RuntimeError), transaction.atomic(), stamps.counted_per_topic(Attendance, Member):
        raise RuntimeError("失败")
    assert stamps.installed_triggers() >= stamps.expected_triggers(connection.vendor)
