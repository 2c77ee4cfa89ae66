from django.urls import path

from safeguarding.core import views, views_bank_holidays

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("bank-holidays/", views_bank_holidays.bank_holiday_list, name="bank-holidays"),
]
