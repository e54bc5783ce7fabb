"""The reports' own record of referral moves (`TakeUpMove`): written with each move, on the UK day it happened,
with the working days since the referral reached the organisation, and kept in step with the pledge."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import delete, select

from covenant.clock import uk_today, working_days_between
from covenant.extensions import db
from covenant.models import Referral, TakeUpAreaMonth, TakeUpMonth, TakeUpMove
from covenant.referrals.operations import move
from covenant.reports.moves import areas_of
from covenant.vocab import OutcomeArea, PledgeKind, ReferralStatus, Role
from tests.conftest import referral_moved, run_migration_step

S = ReferralStatus
LEEDS = "E08000035"


def recorded(referral: Referral) -> list[tuple[ReferralStatus, date, int | None]]:
    return [
        (row.to_status, row.moved_on, row.working_days)
        for row in db.session.scalars(
            select(TakeUpMove).where(TakeUpMove.referral_id == referral.id).order_by(TakeUpMove.id)
        )
    ]


def test_working_days_skip_weekends_and_bank_holidays():
    assert working_days_between(date(2026, 8, 28), date(2026, 9, 2)) == 2  # over the summer bank holiday
    assert working_days_between(date(2026, 12, 24), date(2027, 1, 4)) == 4  # Christmas and New Year
    assert working_days_between(date(2026, 6, 5), date(2026, 6, 8)) == 1  # Friday to Monday
    assert working_days_between(date(2026, 6, 1), date(2026, 6, 1)) == 0
    assert working_days_between(date(2026, 6, 2), date(2026, 6, 1)) == 0
    assert working_days_between(date(2025, 4, 17), date(2025, 4, 22)) == 1  # Easter


def test_each_move_is_recorded_on_its_uk_day_with_working_days_since_referral(
    make_pledge, make_care_leaver, make_user, authority
):
    leeds = authority(LEEDS)
    adviser = make_user(Role.PERSONAL_ADVISER, local_authority=leeds)
    pledge = make_pledge(kind=PledgeKind.JOB, outcome_areas=[OutcomeArea.EDUCATION_EMPLOYMENT])
    referral = referral_moved(
        make_care_leaver(adviser=adviser),
        pledge,
        (datetime(2026, 8, 28, 12, tzinfo=UTC), S.REFERRED),  # a Friday
        (datetime(2026, 9, 2, 10, tzinfo=UTC), S.ACCEPTED),  # the Wednesday after the bank holiday
        (datetime(2026, 10, 24, 23, 30, tzinfo=UTC), S.STARTED),  # 00:30 on Sunday 25 October in the UK
    )
    assert recorded(referral) == [
        (S.REFERRED, date(2026, 8, 28), 0),
        (S.ACCEPTED, date(2026, 9, 2), 2),
        (S.STARTED, date(2026, 10, 25), working_days_between(date(2026, 8, 28), date(2026, 10, 25))),
    ]
    row = db.session.scalars(select(TakeUpMove).where(TakeUpMove.referral_id == referral.id)).first()
    assert row is not None
    assert (row.local_authority_id, row.organisation_id, row.pledge_id) == (
        leeds.id,
        pledge.organisation_id,
        pledge.id,
    )


def test_a_move_made_by_the_service_is_recorded_in_the_same_transaction(
    make_pledge, make_care_leaver, make_referral, make_user
):
    pledge = make_pledge(places=2)
    referral = make_referral(make_care_leaver(), pledge, S.REFERRED)
    admin = make_user(Role.ORGANISATION_ADMIN, organisation=pledge.organisation)
    move(referral, S.ACCEPTED, admin)
    db.session.flush()
    today = uk_today()
    assert recorded(referral) == [(S.REFERRED, today, 0), (S.ACCEPTED, today, 0)]
    db.session.rollback()
    assert db.session.scalar(select(TakeUpMove).where(TakeUpMove.to_status == S.ACCEPTED)) is None


def test_a_move_that_never_reached_the_organisation_has_no_working_days(
    make_pledge, make_care_leaver, make_referral, make_user
):
    pledge = make_pledge(places=1)
    referral = make_referral(make_care_leaver(), pledge, S.WAITING)
    move(referral, S.WITHDRAWN, make_user(Role.PERSONAL_ADVISER))
    db.session.flush()
    assert [(status, days) for status, _, days in recorded(referral)] == [
        (S.WAITING, None),
        (S.WITHDRAWN, None),
    ]


def test_a_pledges_new_kind_and_outcome_areas_are_followed(make_pledge, make_care_leaver, make_referral):
    pledge = make_pledge(kind=PledgeKind.JOB, outcome_areas=[OutcomeArea.EDUCATION_EMPLOYMENT])
    referral = make_referral(make_care_leaver(), pledge, S.REFERRED)
    pledge.kind = PledgeKind.APPRENTICESHIP
    pledge.outcome_areas = [OutcomeArea.FINANCE, OutcomeArea.SAFETY]
    db.session.flush()
    row = db.session.scalars(select(TakeUpMove).where(TakeUpMove.referral_id == referral.id)).one()
    db.session.refresh(row)
    assert row.kind == PledgeKind.APPRENTICESHIP
    assert row.outcome_area_bits == pledge.outcome_area_bits != 0


def test_the_migration_writes_existing_moves_as_the_app_does(
    make_pledge, make_care_leaver, make_referral, make_user
):
    pledge = make_pledge(kind=PledgeKind.TRAINING, outcome_areas=[OutcomeArea.HEALTH])
    referral_moved(
        make_care_leaver(),
        pledge,
        (datetime(2026, 3, 27, 23, 30, tzinfo=UTC), S.REFERRED),
        (datetime(2026, 4, 7, 9, tzinfo=UTC), S.DECLINED),  # after Easter
    )
    referral_moved(
        make_care_leaver(),
        make_pledge(),
        (datetime(2026, 6, 1, 9, tzinfo=UTC), S.WAITING),
        (datetime(2026, 6, 3, 9, tzinfo=UTC), S.REFERRED),
        (datetime(2026, 6, 10, 9, tzinfo=UTC), S.ACCEPTED),
    )
    columns = [column for column in TakeUpMove.__table__.columns if column.key != "id"]
    by_the_app = db.session.execute(select(*columns).order_by(*columns)).all()
    assert len(by_the_app) == 5
    months = {
        model: db.session.execute(select(model).order_by(*model.__table__.primary_key)).scalars().all()
        for model in (TakeUpMonth, TakeUpAreaMonth)
    }
    months_by_the_app = {
        model: [tuple(getattr(row, c.key) for c in model.__table__.columns) for row in rows]
        for model, rows in months.items()
    }
    # Referred in March and in June, accepted in June (declining and waiting are not take-up stages).
    assert len(months_by_the_app[TakeUpMonth]) == 3

    for model in (TakeUpAreaMonth, TakeUpMonth, TakeUpMove):
        db.session.execute(delete(model))
    run_migration_step("0010_take_up_moves.py", "_write_existing_moves")
    assert db.session.execute(select(*columns).order_by(*columns)).all() == by_the_app
    db.session.expire_all()
    for model, expected in months_by_the_app.items():
        rows = db.session.execute(select(model).order_by(*model.__table__.primary_key)).scalars().all()
        assert [tuple(getattr(row, c.key) for c in model.__table__.columns) for row in rows] == expected


def test_whole_months_and_the_days_either_side_add_up_to_every_move(
    make_pledge, make_care_leaver, make_user, authority
):
    from covenant.reports import sql
    from covenant.reports.periods import Period

    bradford = authority("E08000032")
    bradford_adviser = make_user(Role.PERSONAL_ADVISER, local_authority=bradford)
    health = make_pledge(outcome_areas=[OutcomeArea.HEALTH, OutcomeArea.FINANCE])
    days = ["2025-12-31", "2026-01-01", "2026-01-15", "2026-01-31", "2026-02-01", "2026-02-28", "2026-03-01"]
    for number, day in enumerate(days):
        moment = datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)
        referral_moved(
            make_care_leaver() if number % 2 else make_care_leaver(adviser=bradford_adviser),
            health if number % 3 else make_pledge(),
            (moment, S.REFERRED),
            (moment, S.ACCEPTED),
        )
    # Its areas change after the moves: every count follows.
    health.outcome_areas = [OutcomeArea.SAFETY]
    db.session.flush()

    def counted(period: Period, areas: bool) -> dict:
        found: dict = {}
        for authority_id, area, status, moves in sql.monthly_totals(period, [S.REFERRED, S.ACCEPTED], areas):
            key = (authority_id, OutcomeArea(area) if area else None, status)
            found[key] = found.get(key, 0) + moves
        return found

    def expected(period: Period, areas: bool) -> dict:
        found: dict = {}
        for row in db.session.scalars(select(TakeUpMove).where(sql.moved_in(period))):
            for area in areas_of(row.outcome_area_bits) if areas else [None]:
                key = (row.local_authority_id, area, row.to_status)
                found[key] = found.get(key, 0) + 1
        return found

    for start, end in [
        (date(2026, 1, 1), date(2026, 2, 28)),  # whole months
        (date(2025, 12, 31), date(2026, 3, 1)),  # a day either side
        (date(2026, 1, 2), date(2026, 1, 31)),  # within one month, to its end
        (date(2026, 1, 15), date(2026, 2, 1)),  # across a month's end
        (date(2026, 1, 16), date(2026, 1, 30)),  # nothing in it
    ]:
        period = Period(start, end)
        for areas in (False, True):
            assert counted(period, areas) == expected(period, areas), (start, end, areas)
    assert counted(Period(date(2025, 12, 1), date(2026, 3, 31)), True)
    assert not any(
        area == OutcomeArea.HEALTH
        for _, area, _ in counted(Period(date(2025, 12, 1), date(2026, 3, 31)), True)
    )
