from django.core.validators import MaxLengthValidator


class BoundedUsernameMixin:
    """A sign-in form whose username longer than the account's limit is refused as invalid.

    Django's AuthenticationForm sets the field's max_length after building it, which adds no
    validator: a longer name would reach django-axes, whose columns hold 255 characters, and
    PostgreSQL refuses the row (a 500 instead of "wrong username or password").
    """

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))
