from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from techtransfer.accounts.models import User
from techtransfer.core.fields import TextField


class SignUpForm(UserCreationForm):
    """Self-service sign-up: the new account starts as a visitor and may then register its organization."""

    email = forms.EmailField(label=_("Email"), required=True)
    display_name = TextField(label=_("Display name"), max_length=64, required=False)

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email", "display_name")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this email address already exists."))
        return email
