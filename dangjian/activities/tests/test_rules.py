"""Pure rules: the roll on a date, the quorum, audiences, 台账 cells, the import key, upload types."""

from __future__ import annotations

from datetime import date

import pytest

from dangjian.activities import rules, uploads
from dangjian.activities.models import AbsenceReason, KindAudience
from dangjian.core import uploads as core_uploads

from .factories import JPEG, PDF, PNG

D = date


def facts(org=1, join=None, status="正常", left_on=None):
    return rules.MemberFacts(
        organization_id=org, join_date=join or D(2010, 1, 1), status=status, left_on=left_on
    )


class TestOrgOn:
    def test_current_member_on_the_roll_from_joining(self):
        assert rules.org_on(facts(), [], D(2025, 1, 1)) == 1
        assert rules.org_on(facts(join=D(2025, 6, 1)), [], D(2025, 5, 31)) is None
        assert rules.org_on(facts(join=D(2025, 6, 1)), [], D(2025, 6, 1)) == 1

    def test_left_after_the_date_still_counts_but_not_on_the_day_of_leaving(self):
        gone = facts(status="死亡", left_on=D(2025, 6, 10))
        assert rules.org_on(gone, [], D(2025, 6, 9)) == 1
        assert rules.org_on(gone, [], D(2025, 6, 10)) is None

    def test_left_without_a_date_uses_the_leaving_event_or_is_excluded(self):
        out = facts(status="已转出")
        assert rules.org_on(out, [], D(2025, 1, 1)) is None
        assert rules.org_on(out, [rules.Move("出党", D(2025, 3, 1))], D(2025, 2, 1)) == 1

    def test_moved_to_another_branch_later_counts_for_the_old_one(self):
        moved = facts(org=2)
        moves = [rules.Move("组织内转接", D(2025, 5, 1), from_org_id=1, to_org_id=2)]
        assert rules.org_on(moved, moves, D(2025, 4, 30)) == 1
        assert rules.org_on(moved, moves, D(2025, 5, 1)) == 2

    def test_transferred_in_from_outside_was_on_no_roll_before(self):
        came = facts(org=2)
        moves = [rules.Move("转入", D(2025, 5, 1), to_org_id=2)]
        assert rules.org_on(came, moves, D(2025, 4, 1)) is None
        assert rules.org_on(came, moves, D(2025, 6, 1)) == 2

    def test_transferred_out_of_the_system_later(self):
        out = facts(status="已转出", left_on=D(2025, 8, 1))
        moves = [rules.Move("转出", D(2025, 8, 1), from_org_id=1)]
        assert rules.org_on(out, moves, D(2025, 7, 1)) == 1
        assert rules.org_on(out, moves, D(2025, 8, 2)) is None

    def test_suspended_then_restored(self):
        m = facts()
        moves = [rules.Move("停止党籍", D(2025, 2, 1)), rules.Move("恢复党籍", D(2025, 9, 1))]
        assert rules.org_on(m, moves, D(2025, 1, 31)) == 1
        assert rules.org_on(m, moves, D(2025, 5, 1)) is None
        assert rules.org_on(m, moves, D(2025, 9, 1)) == 1


def test_votes_and_quorum():
    assert rules.has_vote(D(2020, 1, 1), D(2025, 1, 1))
    assert not rules.has_vote(None, D(2025, 1, 1))
    assert not rules.has_vote(D(2025, 2, 1), D(2025, 1, 1))  # 转正 after the meeting: still 预备 then
    assert rules.quorum_met(6, 10)
    assert not rules.quorum_met(5, 10)  # exactly half is not a quorum
    assert not rules.quorum_met(4, 10)
    assert rules.quorum_met(3, 5) and not rules.quorum_met(2, 5)
    assert not rules.quorum_met(0, 0)


def test_audiences_take_the_widest():
    assert rules.audience_of(["talk"]) == "talk"
    assert rules.audience_of(["talk", "group"]) == "group"
    assert rules.audience_of(["committee", "all"]) == "all"
    assert rules.audience_of([]) == "all"
    assert {rules.AUDIENCE_ALL, rules.AUDIENCE_COMMITTEE, rules.AUDIENCE_GROUP, rules.AUDIENCE_TALK} == set(
        KindAudience.values
    )
    assert rules.ABSENCE_REASONS == tuple(AbsenceReason.values)


def test_split_kinds_on_every_separator():
    assert rules.split_kinds("主题党日、党员大会，党课;集体学习；谈心谈话,民主评议") == [
        "主题党日",
        "党员大会",
        "党课",
        "集体学习",
        "谈心谈话",
        "民主评议",
    ]
    assert rules.split_kinds(" 主题 党日 、主题党日") == ["主题党日"]
    assert rules.split_kinds("") == []


@pytest.mark.parametrize(
    "text,expected",
    [
        ("张三（因病）、李四（因公）", [("张三", "因病", ""), ("李四", "因公", "")]),
        ("张三(病假)，李四：出差", [("张三", "因病", "病假"), ("李四", "因公", "出差")]),
        ("王五", [("王五", "其他", "台账未注明原因")]),
        ("赵六（照顾老人）", [("赵六", "其他", "照顾老人")]),
        ("阿依古丽·买买提（事假）", [("阿依古丽·买买提", "事假", "")]),
        ("无", []),
        ("", []),
    ],
)
def test_parse_absentees(text, expected):
    assert [(a.name, a.reason, a.note) for a in rules.parse_absentees(text)] == expected


@pytest.mark.parametrize("text", ["张（因病）", "张三（因病）、张三（因公）"])
def test_parse_absentees_rejects(text):
    with pytest.raises(ValueError):
        rules.parse_absentees(text)


def test_parse_count():
    assert rules.parse_count(12) == 12
    assert rules.parse_count(12.0) == 12
    assert rules.parse_count("12人") == 12
    assert rules.parse_count(" 8 ") == 8
    for bad in ("十二", 12.5, "-1", True):
        with pytest.raises(ValueError):
            rules.parse_count(bad)


def test_import_key_ignores_order_of_kinds_and_spaces_in_topic():
    k = rules.import_key(1, D(2025, 3, 1), ["theme_day", "party_lecture"], "学习 贯彻")
    assert k == rules.import_key(1, D(2025, 3, 1), ["party_lecture", "theme_day"], "学习贯彻")
    assert len(k) == 64
    assert k != rules.import_key(2, D(2025, 3, 1), ["theme_day", "party_lecture"], "学习贯彻")
    assert k != rules.import_key(1, D(2025, 3, 2), ["theme_day", "party_lecture"], "学习贯彻")
    assert k != rules.import_key(1, D(2025, 3, 1), ["theme_day"], "学习贯彻")


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def test_uploads_accepted_by_content_not_name():
    from dangjian.activities.services import check_uploads

    cases = [
        (PNG, "image/png", "png"),
        (JPEG, "image/jpeg", "jpg"),
        (PDF, "application/pdf", "pdf"),
        (b"GIF89a....", "image/gif", "gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp", "webp"),
    ]
    for data, content_type, ext in cases:
        [c] = check_uploads([_upload("随便.txt", data)])
        assert (c.content_type, c.kind.ext, c.original_name) == (content_type, ext, "随便.txt")


def test_uploads_rejected_outside_images_and_pdf():
    from dangjian.activities.services import ActivityInvalid, check_uploads

    bad = {
        "图.svg": b"<svg xmlns=",
        "照片.jpg": b"MZ\x90\x00",  # an .exe renamed to .jpg
        "a.jpg": b"PK\x03\x04",
        "b.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    }
    with pytest.raises(ActivityInvalid) as exc:
        check_uploads([_upload(n, d) for n, d in bad.items()])
    msgs = exc.value.errors["attachments"]
    label = core_uploads.POLICIES[uploads.POLICY].label  # the one policy's message
    assert msgs == [
        f"文件“{n}”的内容不是可接受的类型（仅接受{label}）；其他文档请转换为 PDF 后上传" for n in bad
    ]
    with pytest.raises(ActivityInvalid, match="文件“空.png”是空文件"):
        check_uploads([_upload("空.png", b"")])
    from django.test import override_settings

    with override_settings(DANGJIAN_UPLOAD_MAX_BYTES=1000), pytest.raises(ActivityInvalid) as exc:
        check_uploads([_upload("大.png", PNG + b"\x00" * 2000)])
    assert exc.value.message == "文件“大.png”大小为 2 KB，超过上限 1000 字节；请压缩或拆分后重新上传"
