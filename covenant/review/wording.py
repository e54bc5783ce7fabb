"""Changes to the wording of live pledges, which stay live: coordinators read each one as a diff, and mark it
checked. The change itself is recorded by `pledges.operations.save_section`."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import Select, select

from covenant import audit
from covenant.clock import utcnow
from covenant.models import PledgeTextEdit, User

# What each recorded field is called on the pledge's pages.
FIELD_NAMES = {
    "summary": "Summary",
    "description": "Description",
    "what_you_get": "What the care leaver gets",
    "adjustments": "Reasonable adjustments",
}
WORDS = re.compile(r"\s+|\S+")


@dataclass(frozen=True)
class FieldDiff:
    """One field's words before and after, with what was taken out and put in marked."""

    name: str
    before: Markup
    after: Markup


def unchecked() -> Select[PledgeTextEdit]:
    """Wording changes no coordinator has checked yet, oldest first."""
    return (
        select(PledgeTextEdit)
        .where(PledgeTextEdit.checked_at.is_(None))
        .order_by(PledgeTextEdit.edited_at, PledgeTextEdit.id)
    )


def _marked(words: list[str], start: int, end: int, tag: str, label: str) -> str:
    text = "".join(words[start:end])
    if not text.strip():
        return str(escape(text))
    return f'<{tag} class="covenant-{tag}"><span class="govuk-visually-hidden">{label} </span>{escape(text)}</{tag}>'


def diff(before: str | None, after: str | None) -> tuple[Markup, Markup]:
    """The before and after texts as HTML: words taken out marked in the first, words put in in the second."""
    old, new = WORDS.findall(before or ""), WORDS.findall(after or "")
    shown_before: list[str] = []
    shown_after: list[str] = []
    for operation, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if operation == "equal":
            shown_before.append(str(escape("".join(old[i1:i2]))))
            shown_after.append(str(escape("".join(new[j1:j2]))))
            continue
        if i2 > i1:
            shown_before.append(_marked(old, i1, i2, "del", "taken out:"))
        if j2 > j1:
            shown_after.append(_marked(new, j1, j2, "ins", "put in:"))
    # Every piece was escaped above.
    return Markup("".join(shown_before) or "None given"), Markup("".join(shown_after) or "None given")  # noqa: S704


def field_diffs(edit: PledgeTextEdit) -> list[FieldDiff]:
    """Each changed field of an edit, in the order the pledge's pages show them."""
    diffs = []
    for field, name in FIELD_NAMES.items():
        change = edit.changes.get(field)
        if change is not None:
            before, after = diff(change.get("before"), change.get("after"))
            diffs.append(FieldDiff(name, before, after))
    return diffs


def mark_checked(edit: PledgeTextEdit, coordinator: User) -> bool:
    """Record that a coordinator has read the change; False when someone already had."""
    if edit.checked_at is not None:
        return False
    edit.checked_at = utcnow()
    edit.checked_by_id = coordinator.id
    audit.record("pledge_wording_checked", edit.pledge, coordinator, {"edit": edit.id})
    return True
