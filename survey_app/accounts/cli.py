"""`flask users …`: staff accounts from the command line."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from survey_app.accounts.passwords import generate_password
from survey_app.accounts.service import (
    AccountError,
    create_user,
    reset_password,
    set_active,
    set_role,
    unlock,
)
from survey_app.extensions import db
from survey_app.models import AdminUser
from survey_app.models.types import as_utc, utcnow

users_cli = AppGroup("users", help="Staff accounts (roles: admin, researcher, viewer).")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(AdminUser.ROLES), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_command(email: str, role: str, password_stdin: bool) -> None:
    """Create an account. Without --password-stdin a strong password is generated and shown once."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else generate_password()
    try:
        user = create_user(email, role, password)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"created {user.email} ({user.role})")
    if not password_stdin:
        click.echo(f"password: {password}")


@users_cli.command("set-role")
@click.argument("email")
@click.option("--role", type=click.Choice(AdminUser.ROLES), required=True)
def set_role_command(email: str, role: str) -> None:
    """Change an account's role (recorded in the audit log)."""
    try:
        set_role(email, role)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{email}: role is now {role}")


@users_cli.command("deactivate")
@click.argument("email")
def deactivate_command(email: str) -> None:
    """Deactivate an account: its sessions end now and it can no longer log in (audited)."""
    try:
        set_active(email, False)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{email}: deactivated; its sessions have ended")


@users_cli.command("activate")
@click.argument("email")
def activate_command(email: str) -> None:
    """Allow a deactivated account to log in again (audited)."""
    try:
        set_active(email, True)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{email}: active")


@users_cli.command("unlock")
@click.argument("email")
def unlock_command(email: str) -> None:
    """Lift the lock set after too many wrong passwords (audited)."""
    try:
        unlock(email)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{email}: unlocked")


@users_cli.command("reset-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
def reset_password_command(email: str, password_stdin: bool) -> None:
    """Set a new password (generated and shown once unless --password-stdin); sessions end (audited)."""
    given = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    try:
        password = reset_password(email, password=given)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{email}: password reset; its sessions have ended")
    if not password_stdin:
        click.echo(f"password: {password}")


@users_cli.command("list")
def list_command() -> None:
    """List accounts."""
    for user in db.session.scalars(select(AdminUser).order_by(AdminUser.email)):
        state = "active" if user.active else "inactive"
        if user.locked_until is not None and as_utc(user.locked_until) > utcnow():
            state += ",locked"
        click.echo(f"{user.email}\t{user.role}\t{state}")
