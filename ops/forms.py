from django.contrib.admin.forms import AdminAuthenticationForm

from core.forms import BoundedUsernameMixin


class AdminLoginForm(BoundedUsernameMixin, AdminAuthenticationForm):
    """The admin's sign-in: a username too long for any account is a wrong username."""
