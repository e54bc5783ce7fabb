"""Finding opportunities for one care leaver: while an adviser does, the search and every opportunity's page
say who for, and offer to refer them (or say why not). Kept in the adviser's session, so every link of the
search, its filters and its pages keeps it without carrying it in the address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import session
from flask_login import current_user

from covenant import audit
from covenant.extensions import db
from covenant.models import CareLeaver, Pledge
from covenant.referrals.operations import referral_problem
from covenant.vocab import Role

REFERRING_FOR = "referring_for"


@dataclass(frozen=True)
class Referring:
    """The care leaver an adviser is finding opportunities for, and what each result means for them."""

    care_leaver: CareLeaver
    today: date

    def problem(self, pledge: Pledge) -> str | None:
        """Why they cannot be referred to this pledge, or None."""
        return referral_problem(self.care_leaver, pledge, self.today)


def referring_for(today: date) -> Referring | None:
    """The care leaver the signed-in adviser is finding opportunities for, if any (of their own authority)."""
    care_leaver_id = session.get(REFERRING_FOR)
    if not isinstance(care_leaver_id, int) or not current_user.is_authenticated:
        return None
    if current_user.role not in (Role.PERSONAL_ADVISER, Role.AUTHORITY_MANAGER):
        return None
    care_leaver = db.session.get(CareLeaver, care_leaver_id)
    if care_leaver is None or care_leaver.local_authority_id != current_user.local_authority_id:
        return None
    audit.record_read("care_leaver_viewed", care_leaver, current_user)
    return Referring(care_leaver, today)
