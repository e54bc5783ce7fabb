"""Forms care leavers fill in, in short plain words."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovRadioInput, GovTextArea, GovTextInput
from wtforms import PasswordField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo, InputRequired, Length, Optional, ValidationError

from covenant.auth.forms import NewPassword, email_field
from covenant.fields import RequiredWhen, yes_no_field
from covenant.forms import BaseForm, GovSubmit


class JoinForm(BaseForm):
    how = RadioField(
        "How do you want to sign in?",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("link", "Email me a link each time, so there is no password to remember"),
            SelectChoice("password", "With a password"),
        ],
        validators=[InputRequired(message="Choose how you want to sign in")],
    )
    password = PasswordField(
        "Create a password",
        widget=GovPasswordInput(),
        description="Use 10 or more letters, numbers or spaces. Three random words work well.",
        validators=[
            RequiredWhen("how", "password", "Create a password"),
            Length(max=200, message="Password must be 200 characters or fewer"),
            NewPassword(),
        ],
    )
    confirm_password = PasswordField(
        "Type your password again",
        widget=GovPasswordInput(),
        validators=[
            RequiredWhen("how", "password", "Type your password again"),
            EqualTo("password", message="The passwords are not the same. Type the same password twice"),
        ],
    )
    submit = SubmitField("Make my account", widget=GovSubmit())


class SignInLinkForm(BaseForm):
    email = email_field(hint="We will email you a link. It works once, for 20 minutes.")
    submit = SubmitField("Email me a link", widget=GovSubmit())


class InterestForm(BaseForm):
    message = TextAreaField(
        "Anything you want to tell your adviser? (optional)",
        widget=GovTextArea(),
        description="For example, when you could start.",
        validators=[Optional(), Length(max=500, message="Your message must be 500 letters or fewer")],
    )
    submit = SubmitField("Tell my adviser", widget=GovSubmit())


class WithdrawForm(BaseForm):
    reason = TextAreaField(
        "Why? (optional)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=500, message="Your reason must be 500 letters or fewer")],
    )
    submit = SubmitField("Stop this", widget=GovSubmit())


class FeedbackForm(BaseForm):
    useful = RadioField(
        "How useful was it?",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("5", "5: very useful"),
            SelectChoice("4", "4"),
            SelectChoice("3", "3"),
            SelectChoice("2", "2"),
            SelectChoice("1", "1: not useful"),
        ],
        validators=[InputRequired(message="Choose how useful it was")],
    )
    recommend = yes_no_field(
        "Would you tell another care leaver to do it?",
        "Choose yes or no: would you tell another care leaver to do it",
    )
    comment = TextAreaField(
        "Anything you want the organisation to know? (optional)",
        widget=GovTextArea(),
        description="They will not see your name.",
        validators=[Optional(), Length(max=1000, message="Your message must be 1,000 letters or fewer")],
    )
    submit = SubmitField("Send", widget=GovSubmit())


class TextsForm(BaseForm):
    mobile = StringField(
        "Your mobile number",
        widget=GovTextInput(),
        description="A UK mobile number, like 07700 900123.",
        validators=[InputRequired(message="Enter your mobile number")],
    )
    submit = SubmitField("Send me texts", widget=GovSubmit())

    def validate_mobile(self, field: StringField) -> None:
        from covenant.care_leavers.operations import normalise_mobile

        if normalise_mobile(field.data or "") is None:
            raise ValidationError("Enter a UK mobile number, like 07700 900123")


class InviteCareLeaverForm(BaseForm):
    email = email_field("Their email address", hint="We will email them a link to make their account.")
    submit = SubmitField("Send invitation", widget=GovSubmit())


class InterestReplyForm(BaseForm):
    reply = TextAreaField(
        "Your reply",
        widget=GovTextArea(),
        description="They will read this. Say why in plain words, and what they could do instead.",
        validators=[
            InputRequired(message="Enter your reply"),
            Length(max=1000, message="Reply must be 1,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Send reply", widget=GovSubmit())
