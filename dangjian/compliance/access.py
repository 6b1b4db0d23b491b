"""Who may open the compliance pages: business readers read (in their scope), the bureau admin configures."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from dangjian.accounts.roles import BUSINESS_ROLES
from dangjian.accounts.scope import is_bureau_admin

View = Callable[..., HttpResponse]


def business_reader(view: View) -> View:
    """Signed in with a role that sees party business data; the three administrators get 403."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.role not in BUSINESS_ROLES:
            raise PermissionDenied("您的角色无权查看党建业务数据")
        return view(request, *args, **kwargs)

    return wrapper


def bureau_admin(view: View) -> View:
    """Requirements and exemptions are the bureau's to set (design §4.1)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_bureau_admin(request.user):
            raise PermissionDenied("只有局党建管理员可以设置制度要求和豁免")
        return view(request, *args, **kwargs)

    return wrapper
