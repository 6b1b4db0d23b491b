"""Guard: the write kernel (core/actions.py) stays the one place that defines a refusal type and compares versions.

A new `class XError(Exception)` / `(ValueError)` / `(ValidationError)` or a hand-written `version !=` outside
core/actions.py fails this test: raise `Refusal` (or a subclass) and call `actions.lock(..., expected_version=)`,
`actions.check_version` or `actions.save_versioned` instead. The allow-lists name what remains, each with why; an
entry that no longer occurs fails too, so the lists only shrink.
"""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]  # dangjian/
KERNEL = PACKAGE / "core" / "actions.py"

ERROR_CLASS = re.compile(r"^class (\w+)\((?:Exception|ValueError|ValidationError)\)", re.MULTILINE)
VERSION_COMPARE = re.compile(r"^.*(?:\bversion\s*!=|!=\s*[\w.]*\bversion\b).*$", re.MULTILINE)

# Exceptions of pure layers (no Django, no form): parse and rule errors that their services turn into refusals,
# plus operational errors of commands. They are not refusal types of a write.
ALLOWED_CLASSES = {
    ("core/idnumber.py", "IdNumberError"),  # pure parser
    ("core/dates.py", "DateParseError"),  # pure parser
    ("core/xlsx.py", "WorkbookError"),  # pure workbook reader
    ("core/management/commands/backup.py", "BackupError"),  # a command's operational failure
    ("notify/channels.py", "WebhookAddressError"),  # address check of a channel
    ("duties/workflow.py", "TransitionError"),  # pure state machine
    ("supervision/flow.py", "TransitionError"),  # pure state machine
    ("supervision/sampling.py", "DrawError"),  # pure sampling
    ("supervision/scoring.py", "ScoreError"),  # pure scoring
    ("members/rules.py", "RuleError"),  # pure membership rules
    ("orgs/importing.py", "ImportWriteError"),
    # An import row's problems, several per row (column, value, message); issue 20 moves the importers onto
    # actions.bulk_write, whose RowRefusal carries a Refusal.
    ("core/importing.py", "RowErrors"),  # aborts an import's transaction (carries the row reports)
}
ALLOWED_COMPARES: set[tuple[str, str]] = set()


def _sources() -> list[tuple[str, str]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if path == KERNEL or "/tests/" in f"/{rel}" or "/migrations/" in f"/{rel}":
            continue
        out.append((rel, path.read_text(encoding="utf-8")))
    return out


def test_no_second_refusal_type():
    found = {(rel, name) for rel, text in _sources() for name in ERROR_CLASS.findall(text)}
    assert found - ALLOWED_CLASSES == set(), "raise core.actions.Refusal (or a subclass of it) instead"
    assert ALLOWED_CLASSES - found == set(), "gone: remove it from ALLOWED_CLASSES"


def test_no_hand_written_version_check():
    found = {(rel, m.group(0).strip()) for rel, text in _sources() for m in VERSION_COMPARE.finditer(text)}
    assert found - ALLOWED_COMPARES == set(), (
        "use actions.lock(expected_version=…) / check_version / save_versioned"
    )
    assert ALLOWED_COMPARES - found == set(), "gone: remove it from ALLOWED_COMPARES"


def test_the_guard_sees_a_copy(tmp_path):
    """The patterns do match the shapes they guard against (else the two tests above could never fail)."""
    text = "class ServiceError(Exception):\n    pass\n\n    if obj.version != expected_version:\n"
    assert ERROR_CLASS.findall(text) == ["ServiceError"]
    assert [m.group(0).strip() for m in VERSION_COMPARE.finditer(text)] == [
        "if obj.version != expected_version:"
    ]
    assert VERSION_COMPARE.search("if expected != current.version:")


ACTOR_ANY = re.compile(r"\bactor: Any\b")


def test_the_acting_user_is_typed():
    """No `actor: Any`: the acting user is `accounts.typing.Actor` in the apps, `audit.AuditActor` in core."""
    found = [rel for rel, text in _sources() if not rel.startswith("demo/") and ACTOR_ANY.search(text)]
    assert found == []
    assert ACTOR_ANY.search("def f(actor: Any = None):")
