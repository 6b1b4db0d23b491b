"""Part 6: the 入党志愿书 cover data, the 发展党员档案 checklist and the 公示 notice as .docx, scoped and audited."""

from __future__ import annotations

import io

import docx
import pytest
import time_machine

from dangjian.core.models import AuditEntry

from .factories import TODAY, candidate, walk

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def text_of(content: bytes) -> str:
    d = docx.Document(io.BytesIO(content))
    parts = [p.text for p in d.paragraphs]
    parts += [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def test_documents_of_a_candidate(cast, login):
    c = walk(candidate(cast["a"], name="文书甲"), 17)
    client = login(cast["admin_a"])
    page = client.get(f"/recruitment/{c.pk}/").content.decode()
    assert "下载入党志愿书基本信息" in page and "下载发展对象公示" in page
    r = client.get(f"/recruitment/{c.pk}/documents/volunteer/")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    text = text_of(r.content)
    assert "中国共产党入党志愿书" in text and "文书甲" in text and "甲支部党员0、甲支部党员1" in text
    assert "2024年06月03日" in text and c.id_number not in text
    dossier = text_of(client.get(f"/recruitment/{c.pk}/documents/dossier/").content)
    assert "政治审查材料" in dossier and "已登记" in dossier and "未登记" in dossier  # no 转正 yet
    notice = text_of(client.get(f"/recruitment/{c.pk}/documents/publicity/").content)
    assert "关于拟发展党员对象的公示" in notice and "2024年05月06日至2024年05月10日" in notice
    assert AuditEntry.objects.filter(action="candidate.document").count() == 3
    assert login(cast["admin_b"]).get(f"/recruitment/{c.pk}/documents/volunteer/").status_code == 404


def test_documents_a_candidate_has_no_data_for_answer_404(cast, login):
    c = candidate(cast["a"], name="文书乙")
    client = login(cast["admin_a"])
    assert client.get(f"/recruitment/{c.pk}/documents/volunteer/").status_code == 404
    assert client.get(f"/recruitment/{c.pk}/documents/publicity/").status_code == 404
    assert client.get(f"/recruitment/{c.pk}/documents/other/").status_code == 404
    assert client.get(f"/recruitment/{c.pk}/documents/dossier/").status_code == 200
