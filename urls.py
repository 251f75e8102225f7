from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path

from meetings.forms import LoginForm

urlpatterns = [
    path("accounts/login/", LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("meetings.urls")),
    path("", include("voting.urls")),
    path("", include("minutes.urls")),
    path("", include("annotations.urls")),
]
