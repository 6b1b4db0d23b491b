from dangjian.core.testing import CAST_USERS, Case


def cases(cast):
    return [
        Case("site:home", "/", allow=set(CAST_USERS)),
        # installable (issue 19 part 4): served to everyone, signed in or not (the login page registers it too)
        Case("site:manifest", "/manifest.webmanifest", allow=set(), public=True),
        Case("site:service_worker", "/sw.js", allow=set(), public=True),
        Case("site:offline", "/offline/", allow=set(), public=True),
    ]
