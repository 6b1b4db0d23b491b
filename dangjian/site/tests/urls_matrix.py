from dangjian.core.testing import CAST_USERS, Case


def cases(cast):
    return [
        Case("site:home", "/", allow=set(CAST_USERS)),
    ]
