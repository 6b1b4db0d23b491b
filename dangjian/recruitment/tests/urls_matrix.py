"""Every recruitment URL × every role of the cast (dangjian.core.testing)."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.core.testing import Case
from dangjian.core.tests import samples
from dangjian.recruitment import services

from .factories import applicant, step_input

STAFF = {"bureau", "admin_a", "admin_b", "inspector"}
WRITERS = {"bureau", "admin_a", "admin_b"}


def cases(cast) -> list[Case]:
    a = cast["a"]
    doc = SimpleUploadedFile("申请书.pdf", samples.pdf(), content_type="application/pdf")
    applicant_a = services.create_candidate(
        applicant(name="矩阵申请人"), a, date(2026, 11, 2), actor=None, uploads=[doc]
    )
    activist = services.create_candidate(applicant(name="矩阵积极分子"), a, date(2026, 10, 1), actor=None)
    for n, day in ((2, date(2026, 10, 10)), (3, date(2026, 10, 20))):
        services.record_step(activist, n, step_input(activist, n, day), actor=None)
    document = applicant_a.steps.get().documents.get()
    pk, act = applicant_a.pk, activist.pk
    return [
        Case("recruitment:list", "/recruitment/", allow=STAFF),
        Case("recruitment:list", "/recruitment/?stage=入党积极分子", allow=STAFF),
        Case("recruitment:list", f"/recruitment/?org={a.pk}", allow={"bureau", "admin_a", "inspector"},
             not_found={"admin_b"}),
        Case("recruitment:create", "/recruitment/new/", allow=WRITERS),
        Case("recruitment:queue", "/recruitment/queue/", allow=WRITERS),
        Case("recruitment:settings", "/recruitment/settings/", allow={"bureau"}),
        Case("recruitment:plans", "/recruitment/plans/", allow=STAFF),
        Case("recruitment:plans", "/recruitment/plans/?year=2025", allow=STAFF),
        Case("recruitment:plan_edit", f"/recruitment/plans/{a.pk}/2026/", allow={"bureau", "admin_a"},
             not_found={"admin_b"}),
        Case("recruitment:document", f"/recruitment/documents/{document.pk}/", allow={"bureau", "admin_a", "inspector"},
             not_found={"admin_b"}),
        Case("recruitment:detail", f"/recruitment/{pk}/", allow={"bureau", "admin_a", "inspector"},
             not_found={"admin_b"}),
        # a branch step: the branch's own admin; the bureau is the superior (403), another branch 404
        Case("recruitment:step", f"/recruitment/{pk}/step/2/", allow={"admin_a"}, not_found={"admin_b"}),
        # a superior step: the bureau (and admins of superior organisations)
        Case("recruitment:step", f"/recruitment/{act}/step/4/", allow={"bureau"}, not_found={"admin_b"}),
        Case("recruitment:step", f"/recruitment/{pk}/step/2/", method="post", data={"on": ""},
             allow={"admin_a"}, not_found={"admin_b"}),
        Case("recruitment:override", f"/recruitment/{act}/override/", allow={"bureau"}, not_found={"admin_b"}),
        Case("recruitment:candidate_document", f"/recruitment/{pk}/documents/dossier/",
             allow={"bureau", "admin_a", "inspector"}, not_found={"admin_b"}),
        Case("recruitment:terminate", f"/recruitment/{pk}/terminate/", allow={"bureau", "admin_a"},
             not_found={"admin_b"}),
    ]  # fmt: skip
