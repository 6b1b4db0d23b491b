from datetime import date

from dangjian.core.testing import Case
from dangjian.honors.models import HonorRound, Nomination, ReviewReport, ReviewRound

STAFF = {"bureau", "admin_a", "admin_b", "inspector"}


def cases(cast):
    rnd = ReviewRound.objects.create(year=2026, title="2026年度述职评议")
    rnd.evaluators.set([cast["bureau"], cast["admin_a"]])
    rep = ReviewReport.objects.create(round=rnd, organization=cast["a"], secretary_name="甲书记")
    hr = HonorRound.objects.create(
        year=2026, title="两优一先", opens_on=date(2026, 1, 1), closes_on=date(2026, 12, 31)
    )
    nom = Nomination.objects.create(
        round=hr, category="优秀共产党员", organization=cast["a"], member=cast["members_a"][0], deeds="事迹"
    )
    return [
        Case("honors:reviews", "/honors/reviews/", allow=STAFF),
        Case("honors:review", f"/honors/reviews/{rnd.pk}/", allow=STAFF),
        Case(
            "honors:review_settings",
            f"/honors/reviews/{rnd.pk}/settings/",
            method="post",
            data={"action": "x"},
            allow={"bureau"},
            ok=(302,),
        ),
        Case("honors:vote", f"/honors/reviews/{rnd.pk}/vote/", allow={"bureau", "admin_a"}),
        Case(
            "honors:report",
            f"/honors/reports/{rep.pk}/",
            allow={"bureau", "admin_a", "inspector"},
            not_found={"admin_b"},
        ),
        Case(
            "honors:report_file",
            f"/honors/reports/{rep.pk}/file/",
            allow=set(),
            not_found={"bureau", "admin_a", "inspector", "admin_b"},
        ),
        Case(
            "honors:grades",
            f"/honors/grades/?org={cast['a'].pk}",
            allow={"bureau", "admin_a", "inspector"},
            not_found={"admin_b"},
        ),
        Case("honors:rounds", "/honors/rounds/", allow=STAFF),
        Case("honors:round", f"/honors/rounds/{hr.pk}/", allow=STAFF),
        Case("honors:nominate", f"/honors/rounds/{hr.pk}/nominate/", allow={"bureau", "admin_a", "admin_b"}),
        Case(
            "honors:nomination",
            f"/honors/nominations/{nom.pk}/",
            allow={"bureau", "admin_a", "inspector"},
            not_found={"admin_b"},
        ),
        Case("honors:list", "/honors/", allow=STAFF | {"member"}),
    ]
