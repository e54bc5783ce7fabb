"""Forms for two-factor sign-in: codes typed from an app, a recovery sheet or an email."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length, Regexp

from covenant.auth.forms import current_password_field
from covenant.forms import BaseForm, GovSubmit

SIX_DIGITS = r"^\s*\d{3}[\s-]?\d{3}\s*$"


def six_digit_code(label: str, missing: str) -> StringField:
    """A 6-digit code field (spaces or a dash in the middle are fine)."""
    return StringField(
        label,
        widget=GovTextInput(),
        validators=[
            InputRequired(message=missing),
            Length(max=20, message="The code must be 6 numbers"),
            Regexp(SIX_DIGITS, message="The code must be 6 numbers"),
        ],
    )


class SetUpForm(BaseForm):
    code = six_digit_code(
        "Enter the 6-digit code from your authenticator app",
        "Enter the 6-digit code from your authenticator app",
    )
    submit = SubmitField("Continue", widget=GovSubmit())


class AppCodeForm(BaseForm):
    code = six_digit_code(
        "Enter the 6-digit code from your authenticator app",
        "Enter the 6-digit code from your authenticator app",
    )
    submit = SubmitField("Continue", widget=GovSubmit())


class EmailCodeForm(BaseForm):
    code = six_digit_code("Enter the 6-digit code from the email", "Enter the 6-digit code from the email")
    submit = SubmitField("Continue", widget=GovSubmit())


class SendEmailCodeForm(BaseForm):
    submit = SubmitField("Email me a code", widget=GovSubmit())


class RecoveryCodeForm(BaseForm):
    code = StringField(
        "Enter one of your recovery codes",
        widget=GovTextInput(),
        description="Each recovery code is 10 letters and numbers, like abcde-12345. Each one works once.",
        validators=[
            InputRequired(message="Enter one of your recovery codes"),
            Length(max=40, message="A recovery code is 10 letters and numbers"),
        ],
    )
    submit = SubmitField("Continue", widget=GovSubmit())


class ResetOwnForm(BaseForm):
    password = current_password_field("Your password")
    submit = SubmitField("Reset your authenticator app", widget=GovSubmit())


class TurnOffForm(BaseForm):
    submit = SubmitField("Turn off two-factor sign-in", widget=GovSubmit())


class ResetMemberForm(BaseForm):
    submit = SubmitField("Reset two-factor sign-in", widget=GovSubmit())
