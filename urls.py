from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import LoginView, PasswordChangeView, PasswordResetView
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from meetings.forms import FirstPasswordResetForm, LoginForm, OwnPasswordChangeForm
from meetings.views.accounts import PasswordSetView

# The administration names the system it belongs to, not "Django".
admin.site.site_header = _("Paperless meetings: administration")
admin.site.site_title = _("Paperless meetings")
admin.site.index_title = _("Accounts, bodies and records")
# Its few pages are one click from the breadcrumbs; the lists need the width on a laptop.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("accounts/login/", LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/password_reset/", PasswordResetView.as_view(form_class=FirstPasswordResetForm), name="password_reset"),
    path("accounts/reset/<uidb64>/<token>/", PasswordSetView.as_view(), name="password_reset_confirm"),
    path("accounts/password_change/", PasswordChangeView.as_view(form_class=OwnPasswordChangeForm), name="password_change"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("meetings.urls")),
    path("", include("voting.urls")),
    path("", include("minutes.urls")),
    path("", include("annotations.urls")),
]
