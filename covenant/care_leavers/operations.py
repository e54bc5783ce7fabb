"""Care leavers' own accounts: their adviser invites them, they sign in with a password or an emailed link, see
suggestions and their referrals, say "I'm interested", withdraw, and say how a referral went. The request commits.

Everything a young person is sent goes to them the way they chose: an email, or a text to a mobile number they
may add and remove at any time (`notify`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app, url_for
from sqlalchemy import select

from covenant import audit
from covenant.auth.operations import set_password
from covenant.auth.sessions import email_lookup_key, find_user_by_email
from covenant.clock import uk_today, utcnow
from covenant.email import external_url, notify, queue_email
from covenant.extensions import db
from covenant.models import CareLeaver, InterestRequest, Invitation, Pledge, Referral, ReferralFeedback, User
from covenant.opportunities.criteria import Criteria, find_place
from covenant.opportunities.freshness import current_token
from covenant.opportunities.search import search
from covenant.referrals.operations import referral_problem
from covenant.security import fingerprint, make_token, read_token
from covenant.unit_of_work import locked
from covenant.vocab import (
    ACTIVE_REFERRAL_STATUSES,
    ENDED_REFERRAL_STATUSES,
    NEARBY_MILES,
    Reach,
    ReferralStatus,
    Role,
)

JOIN = "care-leaver-invitation"
SIGN_IN_LINK = "sign-in-link"
# An emailed sign-in link works for this long, and once.
SIGN_IN_LINK_MAX_AGE = 20 * 60
SUGGESTIONS = 6
UK_MOBILE = re.compile(r"^(?:\+44|0044|0)7[0-9]{9}$")


class NotAllowed(Exception):
    """Something the rules do not allow, with the reason in plain words."""


# Invitations and signing in -------------------------------------------------------------------------------


def invite(care_leaver: CareLeaver, adviser: User, email: str) -> Invitation | None:
    """Invite a care leaver to their own account. None (and a note to its owner) when the address already has
    an account, so the adviser's page never says who has one."""
    if care_leaver.user_id is not None:
        raise NotAllowed(f"{care_leaver.first_name} already has an account")
    email = email_lookup_key(email)
    if find_user_by_email(email) is not None:
        queue_email(
            email, "invitation_to_existing_account", sign_in_link=external_url(url_for("auth.sign_in"))
        )
        return None
    now = utcnow()
    for earlier in db.session.scalars(
        select(Invitation).where(
            Invitation.care_leaver_id == care_leaver.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    ):
        earlier.revoked_at = now
    invitation = Invitation(
        email=email,
        role=Role.CARE_LEAVER,
        local_authority_id=care_leaver.local_authority_id,
        care_leaver_id=care_leaver.id,
        invited_by=adviser,
        created_at=now,
        expires_at=now + timedelta(seconds=current_app.config["INVITATION_MAX_AGE"]),
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record("care_leaver_invited", care_leaver, adviser)
    token = make_token(JOIN, {"invitation": invitation.id})
    queue_email(
        email,
        "care_leaver_invitation",
        first_name=care_leaver.first_name,
        adviser=adviser,
        link=external_url(url_for("care_leavers.join", token=token)),
        days=current_app.config["INVITATION_MAX_AGE"] // 86400,
    )
    return invitation


def invitation_for(token: str, lock: bool = False) -> Invitation | None:
    """The open care leaver invitation a link is for, or None."""
    payload = read_token(JOIN, token, current_app.config["INVITATION_MAX_AGE"])
    invitation_id = payload.get("invitation") if payload else None
    if not isinstance(invitation_id, int):
        return None
    invitation = locked(Invitation, invitation_id) if lock else db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.care_leaver_id is None or not invitation.is_open(utcnow()):
        return None
    return invitation


def join(invitation: Invitation, password_hash: str | None) -> User | None:
    """Make the young person's account (with a password, or none: they sign in by emailed link), linked to
    their record; None when the address got an account meanwhile."""
    care_leaver = db.session.get(CareLeaver, invitation.care_leaver_id)
    if care_leaver is None or care_leaver.user_id is not None or find_user_by_email(invitation.email):
        return None
    now = utcnow()
    user = User(
        email=invitation.email,
        name=care_leaver.first_name,
        password_hash="",
        role=Role.CARE_LEAVER,
        local_authority_id=care_leaver.local_authority_id,
        email_confirmed_at=now,
    )
    # No password: an unusable hash, so only the emailed link signs them in.
    set_password(user, password_hash or "!no-password", actor=None)
    db.session.add(user)
    db.session.flush()
    care_leaver.user = user
    invitation.accepted_at = now
    audit.record("care_leaver_joined", care_leaver, user, {"password": bool(password_hash)})
    return user


def _link_fingerprint(user: User) -> str:
    """Changes when they sign in (or sign out), so a sign-in link works once."""
    return fingerprint(
        f"{user.session_token}:{user.last_signed_in_at.isoformat() if user.last_signed_in_at else ''}"
    )


def send_sign_in_link(email: str) -> None:
    """Email a care leaver a link that signs them in, once, for 20 minutes. Nothing is sent for an address with
    no care leaver account, and the page says the same either way."""
    user = find_user_by_email(email)
    if user is None or user.role != Role.CARE_LEAVER or user.deactivated_at is not None:
        return
    token = make_token(SIGN_IN_LINK, {"user": user.id, "state": _link_fingerprint(user)})
    notify(
        user,
        "sign_in_link",
        link=external_url(url_for("care_leavers.sign_in_with_link", token=token)),
        minutes=SIGN_IN_LINK_MAX_AGE // 60,
        always_email=True,
    )


def user_for_sign_in_link(token: str) -> User | None:
    payload = read_token(SIGN_IN_LINK, token, SIGN_IN_LINK_MAX_AGE)
    if not payload or not isinstance(payload.get("user"), int):
        return None
    user = locked(User, payload["user"])
    if user is None or user.deactivated_at is not None or _link_fingerprint(user) != payload.get("state"):
        return None
    return user


# Telling them ---------------------------------------------------------------------------------------------


def normalise_mobile(number: str) -> str | None:
    """A UK mobile number as 07xxxxxxxxx, or None when it is not one."""
    compact = re.sub(r"[\s()\-]", "", number)
    if not UK_MOBILE.match(compact):
        return None
    return "0" + compact[-10:]


def choose_texts(user: User, mobile: str) -> None:
    user.mobile = mobile
    user.contact_by = "text"
    audit.record("contact_changed", user, user, {"by": "text"})


def stop_texts(user: User) -> None:
    """Back to emails: the number is removed at once, not kept."""
    user.mobile = None
    user.contact_by = "email"
    audit.record("contact_changed", user, user, {"by": "email", "mobile": "removed"})


# What they see ----------------------------------------------------------------------------------------------


def own_record(user: User) -> CareLeaver | None:
    return db.session.scalars(select(CareLeaver).where(CareLeaver.user_id == user.id)).first()


@dataclass(frozen=True)
class Suggestion:
    pledge: Pledge
    reason: str


def _where(pledge: Pledge, care_leaver: CareLeaver) -> str:
    if pledge.reach == Reach.REMOTE:
        return "you can do it online"
    if pledge.reach == Reach.NATIONAL:
        return "it is open across England"
    return f"it is near you in {care_leaver.lives_in.name}"


def _because(pledge: Pledge, care_leaver: CareLeaver) -> str:
    """A plain reason: "Because you're interested in jobs and it is near you in Leeds"."""
    if pledge.kind in care_leaver.kinds:
        liking = f"you’re interested in {pledge.kind.label.lower()}"
    else:
        shared = [area for area in pledge.outcome_areas if area in care_leaver.outcome_areas]
        liking = (
            f"you care about {shared[0].label.lower()}"
            if shared
            else f"it is for people aged {care_leaver.age(uk_today())}"
        )
    return f"Because {liking} and {_where(pledge, care_leaver)}"


def suggestions(care_leaver: CareLeaver, today: date | None = None) -> list[Suggestion]:
    """Opportunities near them, open to them at their age, matching what interests them, each with a reason;
    leaving out any they have been referred to or cannot be."""
    today = today or uk_today()
    place = find_place(care_leaver.lives_in.gss_code)
    age = care_leaver.age(today)
    asked = {
        referral.pledge_id
        for referral in db.session.scalars(select(Referral).where(Referral.care_leaver_id == care_leaver.id))
    }
    searches = []
    if care_leaver.kinds:
        searches.append(Criteria(where=place, distance=NEARBY_MILES, kinds=tuple(care_leaver.kinds), age=age))
    if care_leaver.outcome_areas:
        searches.append(
            Criteria(where=place, distance=NEARBY_MILES, areas=tuple(care_leaver.outcome_areas), age=age)
        )
    searches.append(Criteria(where=place, distance=NEARBY_MILES, age=age))
    chosen: dict[int, Suggestion] = {}
    token = current_token()
    for criteria in searches:
        for pledge in search(criteria, today, token=token).pledges:
            if len(chosen) >= SUGGESTIONS:
                break
            if pledge.id in chosen or pledge.id in asked or referral_problem(care_leaver, pledge, today):
                continue
            chosen[pledge.id] = Suggestion(pledge, _because(pledge, care_leaver))
    return list(chosen.values())


def referral_in_words(referral: Referral) -> str:
    """What a referral's status means, in a sentence a 16-year-old reads easily."""
    organisation = referral.pledge.organisation.name
    if referral.status == ReferralStatus.WAITING:
        return "It is full at the moment. You are on the waiting list, and you will be next when a place comes up."
    if referral.status == ReferralStatus.REFERRED:
        return f"Your adviser has asked {organisation} about it. They will reply soon."
    if referral.status == ReferralStatus.ACCEPTED:
        if referral.first_day:
            return f"{organisation} has said yes. Your first day is {_day(referral.first_day)}."
        return f"{organisation} has said yes. Your adviser will help you get ready."
    if referral.status == ReferralStatus.STARTED:
        first_day = _day(referral.started_on) if referral.started_on else "recently"
        return f"You started on {first_day}. Well done."
    if referral.status == ReferralStatus.COMPLETED:
        return "You finished it. Well done."
    if referral.status == ReferralStatus.DECLINED:
        return f"{organisation} cannot take you this time. Your adviser can help you find something else."
    if referral.status == ReferralStatus.WITHDRAWN:
        return "This was stopped, so nothing more will happen."
    if referral.status == ReferralStatus.DID_NOT_START:
        return "You did not start this one. That is OK. Your adviser can help you find something else."
    return "It ended early. Your adviser can help you find what to do next."


def _day(day: date) -> str:
    """ "Monday 12 January": the way a day is said aloud (with the year when it is not this year)."""
    year = f" {day.year}" if day.year != uk_today().year else ""
    return f"{day:%A} {day.day} {day:%B}{year}"


def own_referral(user: User, referral_id: int, lock: bool = False) -> Referral | None:
    """One of the young person's own referrals, or None."""
    referral = locked(Referral, referral_id) if lock else db.session.get(Referral, referral_id)
    record = own_record(user)
    if referral is None or record is None or referral.care_leaver_id != record.id:
        return None
    return referral


# "I'm interested" ------------------------------------------------------------------------------------------


def say_interested(
    care_leaver: CareLeaver, pledge: Pledge, message: str | None, user: User
) -> InterestRequest:
    """Put the pledge, and their message, in their adviser's queue."""
    problem = referral_problem(care_leaver, pledge, uk_today())
    if problem:
        raise NotAllowed(problem.replace(f"{care_leaver.first_name} is", "You are", 1))
    already = db.session.scalars(
        select(InterestRequest).where(
            InterestRequest.care_leaver_id == care_leaver.id,
            InterestRequest.pledge_id == pledge.id,
            InterestRequest.status == "open",
        )
    ).first()
    if already is not None:
        raise NotAllowed("You have already told your adviser you are interested in this")
    referred = db.session.scalars(
        select(Referral).where(
            Referral.care_leaver_id == care_leaver.id,
            Referral.pledge_id == pledge.id,
            Referral.status.in_(ACTIVE_REFERRAL_STATUSES),
        )
    ).first()
    if referred is not None:
        raise NotAllowed("Your adviser has already asked about this for you")
    request = InterestRequest(care_leaver=care_leaver, pledge=pledge, message=message or None)
    db.session.add(request)
    db.session.flush()
    audit.record("interest_shown", care_leaver, user, {"pledge": pledge.id})
    adviser = care_leaver.adviser
    if adviser.deactivated_at is None:
        queue_email(
            adviser.email,
            "interest_shown",
            pledge=pledge,
            link=external_url(url_for("caseload.interest", request_id=request.id)),
        )
    return request


def answer_interest(
    request: InterestRequest, adviser: User, reply: str, referral: Referral | None = None
) -> None:
    """The adviser referred them, or replied with a reason: the young person sees it."""
    request.status = "referred" if referral is not None else "replied"
    request.reply = reply or None
    request.referral_id = referral.id if referral is not None else None
    request.answered_at = utcnow()
    request.answered_by_id = adviser.id
    audit.record("interest_answered", request.care_leaver, adviser, {"referred": referral is not None})
    user = request.care_leaver.user
    if user is not None:
        notify(
            user, "interest_answered", pledge=request.pledge, link=external_url(url_for("care_leavers.home"))
        )


# Their say ------------------------------------------------------------------------------------------------


def can_give_feedback(referral: Referral) -> bool:
    return (
        referral.status in ENDED_REFERRAL_STATUSES
        and db.session.scalar(select(ReferralFeedback.id).where(ReferralFeedback.referral_id == referral.id))
        is None
    )


def give_feedback(
    referral: Referral, useful: int, recommend: bool, comment: str | None, by: User, with_adviser: bool
) -> ReferralFeedback:
    if not can_give_feedback(referral):
        raise NotAllowed("You have already told us how this went")
    feedback = ReferralFeedback(
        referral=referral, useful=useful, recommend=recommend, comment=comment or None, given_by_id=by.id,
        with_adviser=with_adviser,
    )  # fmt: skip
    db.session.add(feedback)
    db.session.flush()
    audit.record("feedback_given", referral, by, {"with_adviser": with_adviser})
    return feedback
