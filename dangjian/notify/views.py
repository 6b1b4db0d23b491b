from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dangjian.accounts import policy, scope
from dangjian.accounts.policy import Perm
from dangjian.core.actions import Refusal, refusal_to_form
from dangjian.core.params import page_param

from . import channels, personal, services
from .models import Channel, Delivery, Notification, OrgWebhook


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


# --- 通知设置: the person's channels and a test message (issue 19 part 3) ------------------------------------------
class PreferenceForm(forms.Form):
    email_events = forms.BooleanField(label="电子邮件", required=False)
    wecom_events = forms.BooleanField(label="企业微信消息", required=False)
    sms_events = forms.BooleanField(label="短信", required=False)
    wecom_userid = forms.CharField(label="企业微信账号（UserID）", max_length=64, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


def _settings_context(request: HttpRequest, form: PreferenceForm) -> dict:
    user = request.user
    phones = services._phones([user])  # type: ignore[list-item]
    phone = phones.get(user.pk, "")
    log = Delivery.objects.filter(recipient=user).order_by("-created_at", "-id")[:20]
    for d in log:
        d.shown_address = services.mask(d.channel, d.address)
    return {
        "page_title": "通知设置",
        "form": form,
        "email": user.email,
        "email_enabled": settings.DANGJIAN_EMAIL_ENABLED,
        "phone": services.mask(Channel.SMS, phone) if phone else "",
        "wecom_ready": personal.wecom_configured(),
        "sms_ready": personal.sms_configured(),
        "wecom_default": services.default_wecom_userid(user, phone),  # type: ignore[arg-type]
        "log": log,
    }


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    """Each person chooses over which channels their notifications also come (站内通知 always)."""
    pref = services.preference_of(request.user)  # type: ignore[arg-type]
    initial = {
        "email_events": pref.email_events,
        "wecom_events": pref.wecom_events,
        "sms_events": pref.sms_events,
        "wecom_userid": pref.wecom_userid,
        "version": pref.version,
    }
    form = PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.save_preferences(
                request.user,  # type: ignore[arg-type]
                email=cd["email_events"],
                wecom=cd["wecom_events"],
                sms=cd["sms_events"],
                wecom_userid=cd["wecom_userid"] or "",
                version=cd["version"] if pref.pk else None,
                actor=request.user,  # type: ignore[arg-type]
            )
        except Refusal as exc:
            refusal_to_form(form, exc)
        else:
            messages.success(request, "通知设置已保存。")
            return redirect("notify:settings")
    status = 400 if request.method == "POST" else 200
    return render(request, "notify/settings.html", _settings_context(request, form), status=status)


@login_required
@require_POST
def test_message(request: HttpRequest) -> HttpResponse:
    """发送测试消息 over every channel the person chose; the result of each is shown and logged."""
    try:
        results = services.send_test(request.user, actor=request.user)  # type: ignore[arg-type]
    except Refusal as exc:
        messages.error(request, exc.message)
    else:
        for r in results:
            if r.ok:
                messages.success(request, f"{r.channel}（{r.address}）：测试消息已发送。")
            else:
                messages.error(request, f"{r.channel}（{r.address}）：发送失败——{r.detail}（系统将稍后重试）")
    return redirect("notify:settings")
