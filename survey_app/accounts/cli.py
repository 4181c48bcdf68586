"""`flask users …`: staff accounts from the command line."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from survey_app.accounts.passwords import generate_password
from survey_app.accounts.service import AccountError, create_user, set_role
from survey_app.extensions import db
from survey_app.models import AdminUser

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


@users_cli.command("list")
def list_command() -> None:
    """List accounts."""
    for user in db.session.scalars(select(AdminUser).order_by(AdminUser.email)):
        state = "active" if user.active else "inactive"
        click.echo(f"{user.email}\t{user.role}\t{state}")
