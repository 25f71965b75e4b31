from __future__ import annotations

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from comptes.models import Provider, User


class LoginForm(AllauthLoginForm):
    """allauth's e-mail login, with the manual's words ("Rester connecté")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "remember" in self.fields:
            self.fields["remember"].label = _("Stay signed in")
        self.fields["login"].label = _("E-mail")
        self.fields["password"].label = _("Password")


class ProviderContactForm(forms.ModelForm):
    """ "Vos coordonnées" (Modifier mes coordonnées, and the wizard's first tab)."""

    class Meta:
        model = Provider
        fields = [
            "company",
            "civility",
            "last_name",
            "first_name",
            "address",
            "postcode",
            "city",
            "country",
            "phone1",
            "phone2",
            "fax",
            "email",
            "website",
        ]
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "email"})}


class AdvancedSettingsForm(forms.ModelForm):
    class Meta:
        model = Provider
        fields = ["min_stay_nights", "always_desktop"]
        help_texts = {
            "min_stay_nights": _("1 night (recommended value)"),
            "always_desktop": _("When ticked, the mobile version is never used, even on a small screen."),
        }


class CurrentPasswordMixin(forms.Form):
    current_password = forms.CharField(
        label=_("Enter your current password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_current_password(self) -> str:
        password = self.cleaned_data["current_password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Your current password is not correct."))
        return password


class ChangeEmailForm(CurrentPasswordMixin):
    new_email = forms.EmailField(label=_("Enter your new e-mail address"))

    def clean_new_email(self) -> str:
        email = self.cleaned_data["new_email"].lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.user.pk).exists():
            raise forms.ValidationError(_("This e-mail address is already used by another account."))
        return email


class ChangePasswordForm(CurrentPasswordMixin):
    new_password1 = forms.CharField(
        label=_("Enter your new password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("Confirm your new password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", _("The two passwords do not match."))
        elif p1:
            try:
                password_validation.validate_password(p1, self.user)
            except forms.ValidationError as error:
                self.add_error("new_password1", error)
        return cleaned
