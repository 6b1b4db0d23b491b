from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from dangjian.core.testing import Case
from dangjian.jobs.models import Job, JobFile, JobKind, JobStatus

OTHERS_IN_BUSINESS = {"bureau", "admin_b", "inspector"}


def cases(cast):
    result = JobFile(original_name="报告.docx", content_type="application/octet-stream", size=2)
    result.file.name = default_storage.save("jobs/test/matrix.docx", ContentFile(b"ok"))
    result.save()
    job = Job.objects.create(
        owner=cast["admin_a"],
        kind=JobKind.REPORT,
        title="2025年度党建工作情况分析报告",
        status=JobStatus.DONE,
        result_file=result,
    )
    own = {"admin_a"}
    return [
        Case("jobs:list", "/jobs/", allow={"bureau", "admin_a", "admin_b", "inspector"}),
        Case("jobs:detail", f"/jobs/{job.pk}/", allow=own, not_found=OTHERS_IN_BUSINESS),
        Case("jobs:progress", f"/jobs/{job.pk}/progress/", allow=own, not_found=OTHERS_IN_BUSINESS),
        Case("jobs:download", f"/jobs/{job.pk}/download/", allow=own, not_found=OTHERS_IN_BUSINESS),
        Case(
            "jobs:start_report",
            "/jobs/new/report/",
            method="post",
            data={"year": "2025"},
            allow={"bureau", "admin_a", "admin_b", "inspector"},
            ok=(302,),
        ),
        Case(
            "jobs:start_remind",
            "/jobs/new/remind/",
            method="post",
            data={"month": "2026-01"},
            allow={"bureau"},
            ok=(302,),
        ),
        Case("jobs:start_warm", "/jobs/new/warm/", method="post", allow={"bureau"}, ok=(302,)),
    ]
