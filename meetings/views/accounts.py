"""Setting a password from the e-mailed link: the person lands where they meant to go, signed in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import PasswordResetConfirmView
from django.forms import Form
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from meetings.forms import NewPasswordForm


class PasswordSetView(PasswordResetConfirmView):
    # A guest following the invitation's link, or a new secretary: signed in at once, not sent to
    # a login page to type again the user name they were never shown.
    post_reset_login = True
    form_class = NewPasswordForm
    success_url = reverse_lazy("home")

    def form_valid(self, form: Form) -> HttpResponse:
        response = super().form_valid(form)
        said = _("Your password is set and you are logged in. Your user name, to log in next time: %(username)s.")
        messages.success(self.request, said % {"username": form.user.get_username()})
        return response
