from django.urls import path

from . import views

app_name = "dues"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("export/", views.export, name="export"),
    path("ledger/", views.monthly_ledger, name="ledger"),
    path("mine/", views.mine, name="mine"),
    path("members/<int:pk>/", views.member_record, name="member"),
    path("payments/new/", views.payment_add, name="payment_add"),
    path("payments/<int:pk>/void/", views.payment_void, name="payment_void"),
    path("bases/", views.bases, name="bases"),
    path("bases/new/", views.base_add, name="base_add"),
    path("bases/<int:pk>/edit/", views.base_edit, name="base_edit"),
    path("remittances/new/", views.remittance_add, name="remittance_add"),
    path("remittances/<int:pk>/void/", views.remittance_void, name="remittance_void"),
    path("arrears/", views.arrears_list, name="arrears"),
    path("arrears/cases/new/", views.case_add, name="case_add"),
    path("arrears/cases/<int:pk>/", views.case_detail, name="case"),
    path("arrears/cases/<int:pk>/steps/", views.case_step, name="case_step"),
    path("arrears/cases/<int:pk>/close/", views.case_close, name="case_close"),
    path("import/bases/", views.import_bases, name="import_bases"),
    path("import/payments/", views.import_payments, name="import_payments"),
    path("config/", views.config, name="config"),
]
