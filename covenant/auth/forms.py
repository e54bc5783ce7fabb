"""Forms for signing in, passwords and account settings."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovTextInput
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import Email, EqualTo, InputRequired, Length, ValidationError

from covenant.forms import BaseForm, GovSubmit
from covenant.security import password_problem


class NewPassword:
    """A new password must be long enough and not one of the most common passwords."""

    def __call__(self, form: BaseForm, field: PasswordField) -> None:
        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


def email_field(label: str = "Email address", hint: str | None = None) -> EmailField:
    """An email address field with GOV.UK messages."""
    return EmailField(
        label,
        widget=GovTextInput(),
        description=hint or "",
        validators=[
            InputRequired(message="Enter your email address"),
            Length(max=320, message="Email address must be 320 characters or fewer"),
            Email(
                message="Enter an email address in the correct format, like name@example.com",
                check_deliverability=False,
            ),
        ],
    )


def full_name_field(label: str = "Your full name") -> StringField:
    """A person's full name, as they want it shown to colleagues."""
    return StringField(
        label,
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter your full name"),
            Length(max=200, message="Full name must be 200 characters or fewer"),
        ],
    )


def current_password_field(label: str = "Password", missing: str = "Enter your password") -> PasswordField:
    """The person's own password, to sign in or to confirm it is them."""
    return PasswordField(
        label,
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message=missing),
            Length(max=200, message="Password must be 200 characters or fewer"),
        ],
    )


def new_password_fields() -> tuple[PasswordField, PasswordField]:
    """A new password and its confirmation, with the password rules as hint text."""
    password = PasswordField(
        "Create a password",
        widget=GovPasswordInput(),
        description="Use 10 characters or more. Three random words work well, like ‘glass rocket river’.",
        validators=[
            InputRequired(message="Enter a password"),
            Length(max=200, message="Password must be 200 characters or fewer"),
            NewPassword(),
        ],
    )
    confirm = PasswordField(
        "Confirm your password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message="Confirm your password"),
            EqualTo("password", message="The passwords do not match. Enter the same password twice"),
        ],
    )
    return password, confirm


class SignInForm(BaseForm):
    email = email_field()
    password = current_password_field()
    submit = SubmitField("Sign in", widget=GovSubmit())


class ForgotPasswordForm(BaseForm):
    email = email_field(hint="We’ll email you a link to reset your password.")
    submit = SubmitField("Send reset link", widget=GovSubmit())


class ResetPasswordForm(BaseForm):
    password, confirm_password = new_password_fields()
    submit = SubmitField("Reset password", widget=GovSubmit())


class NameForm(BaseForm):
    name = full_name_field("Full name")
    submit = SubmitField("Save name", widget=GovSubmit())


class ChangePasswordForm(BaseForm):
    current_password = current_password_field("Current password", "Enter your current password")
    password, confirm_password = new_password_fields()
    submit = SubmitField("Change password", widget=GovSubmit())


class ConfirmEmailForm(BaseForm):
    submit = SubmitField("Confirm email address", widget=GovSubmit())
