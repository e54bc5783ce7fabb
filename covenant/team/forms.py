"""Forms for inviting a colleague and accepting an invitation."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect
from wtforms import HiddenField, RadioField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from covenant.auth.forms import email_field, full_name_field, new_password_fields
from covenant.fields import RequiredWhen
from covenant.forms import BaseForm, GovSubmit
from covenant.vocab import Role


class InviteForm(BaseForm):
    email = email_field("Email address", hint="Use their work email address. We’ll send them an invitation.")
    role = RadioField(
        "What should they be able to do?",
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select what they should be able to do")],
    )
    local_authority = SelectField(
        "Which local authority do they work for?",
        widget=GovSelect(),
        description="Only for a local authority manager.",
        validators=[
            RequiredWhen("role", Role.AUTHORITY_MANAGER.value, "Select the local authority they work for")
        ],
    )
    # Set by the "Check before you invite a coordinator" page, which sends the answers again.
    confirmed = HiddenField()
    submit = SubmitField("Send invitation", widget=GovSubmit())


def invite_form(roles: list[SelectChoice], authorities: list[SelectChoice] | None) -> InviteForm:
    """The invitation form for one inviter: a role question only when there is a choice, and an
    authority question only for coordinators."""
    form = InviteForm()
    if len(roles) > 1:
        form.role.choices = roles
    else:
        del form.role
    if authorities is not None:
        form.local_authority.choices = [SelectChoice("", "Choose a local authority"), *authorities]
    else:
        del form.local_authority
    return form


class AcceptInvitationForm(BaseForm):
    name = full_name_field()
    password, confirm_password = new_password_fields()
    submit = SubmitField("Create account", widget=GovSubmit())
