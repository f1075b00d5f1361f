"""The one-time link of an invitation: Django's password-reset tokens with their own salt.

A token is made for an invitation and holds its account's password hash and last login, and
whether it was accepted or revoked: setting the password, signing in, accepting or revoking
makes it useless. It expires after settings.PASSWORD_RESET_TIMEOUT seconds.
"""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "producers.tokens.InvitationTokenGenerator"

    def _make_hash_value(self, invitation, timestamp):
        user = invitation.user
        login = (
            "" if user.last_login is None else user.last_login.replace(microsecond=0, tzinfo=None)
        )
        return (
            f"{invitation.pk}{invitation.email}{invitation.accepted_at}{invitation.revoked_at}"
            f"{user.pk}{user.password}{login}{timestamp}{user.is_active}"
        )


invitation_tokens = InvitationTokenGenerator()
