"""`import_orgs` creates new organisations set-based (issue 20 part 2) when their paths can be computed without
re-pathing siblings: treebeard's invariants (path, depth, numchild) and its code order must hold either way."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.core import audit
from dangjian.core.models import AuditEntry
from dangjian.orgs.models import Organization

from .factories import workbook
from .test_import_orgs import NOW, run

pytestmark = pytest.mark.django_db

ROOT = [["某局党委", "R", "党委", "", "某局机关", "局机关", "2009-01-01", "2024-01-01", ""]]


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def branches(n: int, prefix: str = "B", parent: str = "R") -> list[list[str]]:
    rows = []
    for i in range(n, 0, -1):  # out of code order on purpose
        rows.append([f"{prefix}总支{i}", f"{prefix}{i:04d}", "党总支", parent, f"{prefix}单位{i}", "国有企业",
                     "2015-07-01", "2024-03-15", ""])  # fmt: skip
        rows.append([f"{prefix}支部{i}", f"{prefix}{i:04d}Z", "党支部", f"{prefix}{i:04d}", f"{prefix}单位{i}",
                     "国有企业", "2015-07-01", "2024-03-15", ""])  # fmt: skip
    return rows


def assert_tree_sound() -> None:
    assert all(not p for p in Organization.objects.find_problems()), Organization.objects.find_problems()
    for parent in Organization.objects.all():
        codes = [c.code for c in Organization.objects.get_children(parent)]
        assert codes == sorted(codes) and len(codes) == parent.numchild


def test_many_branches_under_an_existing_root_are_created_in_bulk_and_the_tree_holds(tmp_path):
    assert run(workbook(tmp_path / "r.xlsx", ROOT), "--json")[0] == 0
    with CaptureQueriesContext(connection) as small:
        code, report = run(workbook(tmp_path / "a.xlsx", branches(5, "A")), "--json")
    assert code == 0 and report["created"] == 10
    with CaptureQueriesContext(connection) as big:
        code, report = run(workbook(tmp_path / "b.xlsx", branches(40, "B")), "--json")
    assert code == 0 and report["created"] == 80
    assert_tree_sound()
    # the paths are no longer made one insert (and one re-path of later siblings) at a time
    inserts = [q for q in big.captured_queries if 'INSERT INTO "orgs_organization"' in q["sql"]]
    assert len(inserts) <= 2, len(inserts)
    assert Organization.objects.get_parent(Organization.objects.get(code="B0001Z")).code == "B0001"
    entry = AuditEntry.objects.get(
        model="orgs.organization", object_id=str(Organization.objects.get(code="B0007").pk)
    )
    assert entry.changes["parent"] == [None, "某局党委"] and entry.changes["units"] == [None, ["B单位7"]]
    assert audit.verify(checkpoint=False).ok
    # a later file whose codes sort before the existing siblings goes through the service (re-pathing them)
    code, report = run(workbook(tmp_path / "c.xlsx", branches(3, "0")), "--json")
    assert code == 0 and report["created"] == 6
    assert_tree_sound()
    assert [c.code for c in Organization.objects.get_children(Organization.objects.get(code="R"))][:3] == [
        "00001",
        "00002",
        "00003",
    ]
    assert len(small.captured_queries) > 0


def test_a_fresh_file_with_its_root_is_created_in_bulk_too(tmp_path):
    with CaptureQueriesContext(connection) as big:
        code, report = run(workbook(tmp_path / "city.xlsx", ROOT + branches(30, "B")), "--json")
    assert code == 0 and report["created"] == 61
    assert_tree_sound()
    inserts = [q for q in big.captured_queries if 'INSERT INTO "orgs_organization"' in q["sql"]]
    assert len(inserts) <= 2, len(inserts)
    root = Organization.objects.get(code="R")
    assert root.depth == 1 and root.numchild == 30
    assert Organization.objects.get_parent(Organization.objects.get(code="B0001")) == root
    entry = AuditEntry.objects.get(model="orgs.organization", object_id=str(root.pk))
    assert "parent" not in entry.changes and entry.changes["code"] == [None, "R"]
    # a second root sorts after the first (code order kept) and also goes in bulk
    second = [["另一党委", "S", "党委", "", "另一机关", "局机关", "2009-01-01", "2024-01-01", ""]]
    code, report = run(workbook(tmp_path / "s.xlsx", second + branches(2, "S", "S")), "--json")
    assert code == 0 and report["created"] == 5
    assert_tree_sound()
    assert [o.code for o in Organization.objects.get_root_nodes()] == ["R", "S"]
    # one that sorts before the existing roots goes through the service, which keeps the order
    code, report = run(
        workbook(
            tmp_path / "a.xlsx",
            [["甲党委", "A", "党委", "", "甲机关", "局机关", "2009-01-01", "2024-01-01", ""]],
        ),
        "--json",
    )
    assert code == 0 and report["created"] == 1
    assert_tree_sound()
    assert [o.code for o in Organization.objects.get_root_nodes()] == ["A", "R", "S"]
    assert audit.verify(checkpoint=False).ok
