import time

from django.utils import timezone

from dangjian.activities import checkin
from dangjian.activities.tests.factories import activity
from dangjian.core.testing import Case
from dangjian.engagement import tokens

WRITERS_A = {"bureau", "admin_a"}


def cases(cast):
    # Today's meeting of branch A, QR 签到 started; the member of A may scan its code.
    a = activity(cast["a"], ["theme_day"], day=timezone.localdate(), topic="矩阵用例：扫码签到")
    checkin.open_checkin(a, actor=cast["admin_a"])
    t = tokens.issue(a.pk, time.time())
    base = f"/engagement/checkin/{a.pk}"
    return [
        Case("engagement:checkin_screen", f"{base}/", allow=WRITERS_A, not_found={"admin_b"}),
        Case("engagement:checkin_qr", f"{base}/qr/", allow=WRITERS_A, not_found={"admin_b"}),
        Case("engagement:checkin_list", f"{base}/list/", allow=WRITERS_A, not_found={"admin_b"}),
        Case(
            "engagement:checkin_open",
            f"{base}/open/",
            allow=WRITERS_A,
            not_found={"admin_b"},
            method="post",
            ok=(302,),
        ),
        # Checked in (200), or, when the matrix reaches this case more than two minutes after building it,
        # told that the code has expired (400). Roles without a member record are refused (403).
        Case(
            "engagement:scan",
            f"/engagement/s/{a.pk}/{t.step}/{t.sig}/",
            allow={"member"},
            ok=(200, 400),
        ),
    ]
