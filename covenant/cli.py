"""`flask` commands for operators and cron jobs."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask

from covenant.extensions import db
from covenant.vocab import AlertFrequency


def init_commands(app: Flask) -> None:
    """Register Covenant's commands on the app."""

    @app.cli.command("load-authorities")
    def load_authorities_command() -> None:
        """Load or refresh England's children's-services local authorities (safe to run again)."""
        from covenant.reference import load_authorities

        result = load_authorities()
        db.session.commit()
        click.echo(
            f"Local authorities: {result.added} added, {result.updated} updated, {result.unchanged} unchanged."
        )

    @app.cli.command("load-places")
    def load_places_command() -> None:
        """Load or refresh every postcode district's centre and England's towns (safe to run again)."""
        from covenant.reference import load_places

        result = load_places()
        db.session.commit()
        click.echo(
            f"Postcode districts: {result.districts} loaded ({result.districts_added} added, "
            f"{result.districts_updated} moved). Towns: {result.towns} loaded ({result.towns_added} added, "
            f"{result.towns_updated} changed)."
        )

    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Only add demo data when nobody has an account yet.")
    def seed_demo_command(if_empty: bool) -> None:
        """Add demo accounts and organisations, and print the demo sign-ins."""
        from covenant import demo
        from covenant.reference import load_authorities

        if not demo.is_empty():
            if if_empty:
                click.echo("The database already has accounts, so no demo data was added.")
                return
            raise click.ClickException(
                "The database already has accounts. Demo data goes into an empty database."
            )
        load_authorities()
        sign_ins = demo.seed()
        db.session.commit()
        click.echo("Demo data added. Sign in at http://127.0.0.1:5000/sign-in with:")
        for sign_in in sign_ins:
            key = f"  authenticator key {sign_in.authenticator_key}" if sign_in.authenticator_key else ""
            click.echo(f"  {sign_in.role.label:<26} {sign_in.email:<32} {demo.DEMO_PASSWORD}{key}")

    @app.cli.command("send-email")
    @click.option("--limit", default=200, show_default=True, help="The most emails to send in this run.")
    def send_email_command(limit: int) -> None:
        """Deliver waiting emails from the outbox (run it from cron every minute)."""
        from covenant.email import send_pending

        sent, failed = send_pending(limit)
        click.echo(f"Emails: {sent} sent, {failed} failed.")

    @app.cli.command("close-expired")
    def close_expired_command() -> None:
        """Close live and paused pledges past their closing or end date (run it from cron daily)."""
        from covenant.pledges.operations import close_expired

        closed = close_expired()
        db.session.commit()
        click.echo(f"Pledges closed: {closed}.")

    @app.cli.command("create-coordinator")
    @click.option("--email", prompt=True)
    @click.option("--name", prompt=True)
    @click.password_option()
    def create_coordinator_command(email: str, name: str, password: str) -> None:
        """Create a covenant coordinator account (the first account of a new deployment)."""
        from covenant.auth.sessions import find_user_by_email
        from covenant.clock import utcnow
        from covenant.models import User
        from covenant.security import hash_password, password_problem
        from covenant.vocab import Role

        problem = password_problem(password)
        if problem:
            raise click.ClickException(problem)
        if find_user_by_email(email):
            raise click.ClickException("An account with that email address already exists.")
        db.session.add(
            User(
                email=email.strip().lower(),
                name=name.strip(),
                role=Role.COORDINATOR,
                password_hash=hash_password(password),
                email_confirmed_at=utcnow(),
            )
        )
        db.session.commit()
        click.echo(f"Coordinator {email} created.")

    init_search_commands(app)
    init_cron_commands(app)
    init_statistics_commands(app)


def init_cron_commands(app: Flask) -> None:
    """Commands cron runs daily: reminders about referrals, and pruning what is no longer needed."""

    @app.cli.command("send-reminders")
    def send_reminders_command() -> None:
        """Send the reminders due today: replies, still-there questions, DBS checks (run it from cron daily)."""
        from covenant.referrals.reminders import send_reminders

        run = send_reminders()
        click.echo(
            f"Reminders: {_plural(run.reminded, 'referral')} reminded, {_plural(run.escalated, 'referral')} "
            f"escalated, {_plural(run.asked, 'still-there question')} asked, "
            f"{_plural(run.dbs_reminded, 'DBS attestation')} due."
        )

    @app.cli.command("anonymise-expired")
    @click.option(
        "--age", type=click.IntRange(min=16), help="Remove the details of care leavers this old (26)."
    )
    @click.option(
        "--inactive-months",
        type=click.IntRange(min=1),
        help="Or with nothing happening for this many months (24).",
    )
    def anonymise_expired_command(age: int | None, inactive_months: int | None) -> None:
        """Remove the personal details of care leavers who are 26, or with nothing happening for 24 months,
        keeping referral outcomes for statistics (run it from cron daily; safe to run again)."""
        from covenant.care_leavers.lifecycle import anonymise_expired

        removed = anonymise_expired(age=age, inactive_months=inactive_months)
        db.session.commit()
        click.echo(f"Care leavers anonymised: {removed}.")

    @app.cli.command("prune")
    @click.option(
        "--older-than",
        "days",
        type=click.IntRange(min=1),
        required=True,
        help="Delete delivered emails and unconfirmed accounts older than this many days.",
    )
    def prune_command(days: int) -> None:
        """Delete delivered emails and never-confirmed accounts older than DAYS (run it from cron daily)."""
        from datetime import timedelta

        from covenant.clock import utcnow
        from covenant.email import prune_delivered
        from covenant.organisations.operations import prune_unconfirmed_accounts

        before = utcnow() - timedelta(days=days)
        emails = prune_delivered(before)
        accounts, organisations = prune_unconfirmed_accounts(before)
        db.session.commit()
        click.echo(
            f"Deleted {_plural(emails, 'delivered email')}, {_plural(accounts, 'unconfirmed account')} "
            f"and {_plural(organisations, 'organisation')} signed up with them."
        )


def init_search_commands(app: Flask) -> None:
    """Commands for finding opportunities: saved search alerts and the postcode gazetteer."""

    @app.cli.command("send-alerts")
    @click.option(
        "--frequency",
        type=click.Choice([frequency.value for frequency in AlertFrequency]),
        required=True,
        help="Which saved searches to email: the daily ones (run daily) or the weekly ones (run weekly).",
    )
    def send_alerts_command(frequency: str) -> None:
        """Email saved searches their new opportunities (safe to run again: nothing is sent twice)."""
        from covenant.alerts.digests import send_alerts

        run = send_alerts(AlertFrequency(frequency))
        click.echo(
            f"Saved search alerts ({frequency}): {_plural(run.emailed, 'email')} queued "
            f"from {_plural(run.searched, 'saved search', 'saved searches')}, {run.failed} failed."
        )
        if run.failed:
            raise click.ClickException("Some saved searches failed: see the log for why.")

    @app.cli.command("import-postcode-districts")
    @click.argument("file", type=click.Path(path_type=Path))
    def import_postcode_districts_command(file: Path) -> None:
        """Load postcode district centres from the ONS Postcode Directory CSV or a district,latitude,longitude CSV."""
        from covenant.reference.gazetteer import GazetteerError, import_postcode_districts, open_gazetteer

        try:
            gazetteer = open_gazetteer(file)
        except GazetteerError as error:
            raise click.ClickException(str(error)) from error
        with (
            gazetteer,
            click.progressbar(
                length=os.fstat(gazetteer.fileno()).st_size, label=f"Reading {file.name}"
            ) as bar,
        ):

            def advance(position: int) -> None:
                bar.update(position - bar.pos)

            try:
                result = import_postcode_districts(gazetteer, str(file), advance)
            except GazetteerError as error:
                raise click.ClickException(str(error)) from error
        db.session.commit()
        click.echo(
            f"{_plural(result.loaded, 'district')} loaded, {_plural(result.rejected, 'row')} rejected."
        )
        if result.skipped:
            click.echo(f"{result.skipped} terminated postcodes or postcodes with no location were skipped.")
        if result.rejections:
            click.echo("Rejected rows:")
            for rejection in result.rejections:
                click.echo(f"  line {rejection.line}: {rejection.reason}")
            if result.rejected > len(result.rejections):
                click.echo(f"  and {result.rejected - len(result.rejections)} more.")


def init_statistics_commands(app: Flask) -> None:
    """Commands for the statistics: published figures to set beside the covenant's own."""

    @app.cli.command("import-care-leaver-statistics")
    @click.argument("file", type=click.Path(path_type=Path))
    def import_care_leaver_statistics_command(file: Path) -> None:
        """Import DfE's care leavers' activity figures (a CSV file from Explore Education Statistics, "Children
        looked after in England including adoptions"); importing a year again replaces its figures."""
        from covenant.statistics.importer import StatisticsFileError, import_care_leaver_statistics

        try:
            result = import_care_leaver_statistics(file)
        except StatisticsFileError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from error
        db.session.commit()
        click.echo(
            f"Care leaver figures from {file.name}: {result.added} added, {result.updated} updated, "
            f"{result.unchanged} unchanged ({result.suppressed} suppressed in the file, kept as unknown)."
        )
        if result.other_levels:
            click.echo(f"{_plural(result.other_levels, 'national or regional row')} skipped.")
        if result.unmatched_codes:
            click.echo(
                f"{_plural(len(result.unmatched_codes), 'authority code')} not matched, so not imported:"
            )
            for code, name in sorted(result.unmatched_codes.items()):
                click.echo(f"  {code} {name}")


def _plural(count: int, one: str, many: str | None = None) -> str:
    """‘1 email’, ‘2 emails’."""
    return f"{count} {one if count == 1 else (many or one + 's')}"
