from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dangjian.accounts import policy, scope
from dangjian.accounts.policy import Perm
from dangjian.core.params import page_param

from . import channels, services
from .models import Notification, OrgWebhook


@login_required
def centre(request: HttpRequest) -> HttpResponse:
    qs = Notification.objects.filter(recipient=request.user).select_related("organization")
    unread_only = request.GET.get("unread") == "1"
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 30).get_page(page_param(request))
    return render(
        request,
        "notify/centre.html",
        {
            "page": page,
            "unread_only": unread_only,
            "page_title": "通知中心",
            "unread": services.unread_count(request.user),
            "email_events": services.wants_event_email(request.user),
        },
    )


@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    n = Notification.objects.filter(recipient=request.user, pk=pk).first()
    if n is None:
        raise Http404("未找到该通知")
    services.mark_read(request.user, [n.pk])
    if n.url and url_has_allowed_host_and_scheme(n.url, allowed_hosts={request.get_host()}):
        return redirect(n.url)
    return redirect("notify:centre")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_read(request.user)
    messages.success(request, f"已将 {count} 条通知标为已读。")
    return redirect("notify:centre")


@login_required
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    on = request.POST.get("email_events") == "1"
    services.set_event_email(request.user, on)
    messages.success(
        request,
        "已保存：" + ("事项通知同时发送电子邮件。" if on else "事项通知只在站内提示，不再发送电子邮件。"),
    )
    return redirect("notify:centre")


class WebhookForm(forms.ModelForm):
    class Meta:
        model = OrgWebhook
        fields = ["kind", "url", "secret", "is_active"]
        widgets = {"secret": forms.PasswordInput(render_value=True)}

    url = forms.URLField(label="机器人地址", max_length=500, assume_scheme="https")

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            channels.check_webhook_url(url)
        except channels.WebhookAddressError as exc:
            raise forms.ValidationError(str(exc))
        return url


@policy.requires(Perm.SEND_NOTIFICATIONS, "您没有配置群机器人的权限")
def webhook(request: HttpRequest, org_id: int) -> HttpResponse:
    org = scope.get_org_for_user(request.user, org_id, write=True)
    instance = OrgWebhook.objects.filter(organization=org).first()
    form = WebhookForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        services.save_webhook(org, form.cleaned_data, actor=request.user)
        messages.success(request, "群机器人设置已保存，月提醒将推送到该群。")
        return redirect("notify:webhook", org_id=org.id)
    return render(request, "notify/webhook.html", {"form": form, "org": org, "page_title": "群机器人设置"})
