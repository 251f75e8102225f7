"""Django's own form messages that its Vietnamese catalogue words badly ("Nhập một số tổng thể" for a
whole number, a space before the full stop, "Nhập địa chỉ email." for a wrong address). Listed here
so that `makemessages` keeps them in our catalogue, which Django reads before its own (LOCALE_PATHS)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

DJANGO_FORM_MESSAGES = (
    gettext_noop("Ensure this value is greater than or equal to %(limit_value)s."),
    gettext_noop("Ensure this value is less than or equal to %(limit_value)s."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a whole number."),
)
