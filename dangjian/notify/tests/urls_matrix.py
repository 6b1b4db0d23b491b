from dangjian.core.testing import CAST_USERS, Case


def cases(cast):
    return [
        Case("notify:centre", "/notify/", allow=set(CAST_USERS)),
        Case("notify:open", "/notify/999999/open/", allow=set(), not_found=set(CAST_USERS)),
        Case("notify:preferences", "/notify/preferences/", method="post", allow=set(CAST_USERS), ok=(302,)),
        Case("notify:settings", "/notify/settings/", allow=set(CAST_USERS)),
        # nothing chosen besides 站内通知 in the cast: refused with a message, back to the settings page
        Case(
            "notify:test_message", "/notify/settings/test/", method="post", allow=set(CAST_USERS), ok=(302,)
        ),
        Case("notify:read_all", "/notify/read-all/", method="post", allow=set(CAST_USERS), ok=(302,)),
        Case(
            "notify:webhook",
            f"/notify/webhook/{cast['a'].id}/",
            allow={"bureau", "admin_a"},
            not_found={"admin_b"},
        ),
    ]
