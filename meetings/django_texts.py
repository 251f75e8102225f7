"""Django's own messages that its Vietnamese catalogue words badly ("Nhập một số tổng thể" for a whole
number, a space before the full stop, "Nhập địa chỉ email." for a wrong address) or, written before
Django changed them, lacks: the administrator would read them in English. Listed here so that
`makemessages` keeps them in our catalogue, which Django reads before its own (LOCALE_PATHS)."""

from __future__ import annotations

from django.utils.translation import gettext_noop, ngettext_lazy

DJANGO_FORM_MESSAGES = (
    gettext_noop("Ensure this value is greater than or equal to %(limit_value)s."),
    gettext_noop("Ensure this value is less than or equal to %(limit_value)s."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a whole number."),
)

# Seen by everyone who chooses a password (the reset page), then the account pages of the admin.
DJANGO_ACCOUNT_MESSAGES = (
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        8,
    ),
    gettext_noop("Password-based authentication"),
    gettext_noop(
        "Whether the user will be able to authenticate using a password or not. If disabled, they may still be able to "
        "authenticate using other backends, such as Single Sign-On or LDAP."
    ),
    gettext_noop("Enabled"),
    gettext_noop("Disabled"),
    gettext_noop("Set password"),
    gettext_noop("Set password: %s"),
    gettext_noop("Reset password"),
    gettext_noop("Password-based authentication was disabled."),
    gettext_noop("Raw passwords are not stored, so there is no way to see the user’s password."),
    gettext_noop("Enable password-based authentication for this user by setting a password."),
    gettext_noop("Enable password-based authentication"),
    gettext_noop("Disable password-based authentication"),
    gettext_noop("This action will <strong>enable</strong> password-based authentication for this user."),
    gettext_noop("Conflicting form data submitted. Please try again."),
)

DJANGO_ADMIN_MESSAGES = (
    ngettext_lazy("Please correct the error below.", "Please correct the errors below.", 1),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Error:"),
    gettext_noop("Skip to main content"),
    gettext_noop("Show counts"),
    gettext_noop("Hide counts"),
    gettext_noop("Added:"),
    gettext_noop("Changed:"),
    gettext_noop("Deleted:"),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("In case you’ve forgotten, you are:"),
    gettext_noop("Select all objects on this page for an action"),
    # Django's Vietnamese reads "Thêm vào" (add into), "Hoạt động" (activity), "Bản ghi nhớ" (memo),
    # "cho phép" (the verb "allow") for permissions and leaves "superuser" in English.
    gettext_noop("Add %(name)s"),
    gettext_noop("Action:"),
    gettext_noop("0 of %(cnt)s selected"),
    gettext_noop("History"),
    gettext_noop("Change %s"),
    gettext_noop("Select %s to change"),
    gettext_noop("superuser status"),
    gettext_noop("permissions"),
    gettext_noop("permission"),
)

# Written out, as official letters and the projector's clock name the day ("Thứ Tư"), not "Thứ 4".
DJANGO_WEEKDAYS = (
    gettext_noop("Monday"),
    gettext_noop("Tuesday"),
    gettext_noop("Wednesday"),
    gettext_noop("Thursday"),
    gettext_noop("Friday"),
    gettext_noop("Saturday"),
    gettext_noop("Sunday"),
)

# The admin's own log, which Django's Vietnamese calls "đăng nhập" (a log-in): read in the permissions list.
DJANGO_MODEL_NAMES = (
    gettext_noop("log entry"),
    gettext_noop("log entries"),
)
