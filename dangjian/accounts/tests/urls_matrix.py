from dangjian.core.testing import CAST_USERS, Case


def cases(cast):
    return [
        Case("accounts:login", "/accounts/login/", allow=set(), public=True),
        Case("accounts:password_change", "/accounts/password/", allow=set(CAST_USERS)),
        Case(
            "accounts:logout",
            "/accounts/logout/",
            allow=set(CAST_USERS),
            method="post",
            ok=(302,),
            public=False,
        ),
    ]
