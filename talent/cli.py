"""The `talent` command (API.md). Commands that need the web application build it lazily, so that the
pure-library commands (`rules eval`, `match rank`) start fast."""

from __future__ import annotations

import sys

import click


def _app():
    from talent import create_app

    return create_app()


@click.group(help="长春人才服务平台 · Changchun talent-services platform")
def main() -> None:
    pass


@main.command("init-db")
def init_db() -> None:
    """Create or upgrade the schema (Alembic upgrade head)."""
    from talent.migrate import upgrade

    app = _app()
    with app.app_context():
        engine = app.extensions["talent.engine"]
        upgrade(engine)
        # Older versions kept ID numbers in plain text in applications.facts: move them to encrypted storage.
        from talent.db import db
        from talent.services.identities import rotate

        with db.command_transaction() as session:
            moved = rotate(session, app.extensions["talent.keys"])["moved"]
        if moved:
            click.echo(f"Moved {moved} ID numbers into encrypted storage.")
        click.echo(f"Database ready: {engine.url.render_as_string(hide_password=True)}")


@main.command("seed-demo")
def seed_demo_command() -> None:
    """Load demo people, employers, jobs, graduates and applications (idempotent)."""
    from talent.db import db
    from talent.services.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo

    app = _app()
    if app.config.get("ENV") == "production":
        # demo accounts have a published password: never on a public deployment
        click.echo("Error: seed-demo is refused when TALENT_ENV=production.", err=True)
        sys.exit(1)
    with app.app_context(), db.command_transaction() as session:
        seed_demo(session)
    click.echo(f"Demo data loaded. Demo sign-ins (password for all: {DEMO_PASSWORD}):")
    for account in DEMO_ACCOUNTS:
        click.echo(f"  {account['role'].value:<10} {account['email']}")


@main.group()
def users() -> None:
    """Manage accounts."""


@users.command("create")
@click.option("--role", type=click.Choice(["officer", "admin", "analyst", "applicant", "employer"]), required=True)
@click.option("--email", required=True)
@click.option("--password", required=True, help="At least 10 characters, not only letters or only digits.")
@click.option("--name", required=True)
def users_create(role: str, email: str, password: str, name: str) -> None:
    """Create an officer, admin or analyst (or any other role)."""
    from talent.db import db
    from talent.services import ServiceError
    from talent.services.accounts import create_user

    app = _app()
    try:
        with app.app_context(), db.command_transaction() as session:
            user = create_user(session, email=email, password=password, name=name, role=role)
            click.echo(f"Created {role} #{user.id} <{user.email}>")
    except ServiceError as exc:
        click.echo(f"Error: {exc.message}", err=True)
        for field, messages in exc.errors.items():
            click.echo(f"  {field}: {' '.join(messages)}", err=True)
        sys.exit(1)


@main.command("serve")
@click.option("--port", type=int, envvar="PORT", default=5000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
def serve(port: int, host: str) -> None:
    """Run the development web server (production: gunicorn "talent:create_app()")."""
    app = _app()
    click.echo(f"\n  长春人才服务平台 running at http://{host}:{port}/\n")
    from talent.services.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

    click.echo(f"  Demo sign-ins (password {DEMO_PASSWORD}):")
    for account in DEMO_ACCOUNTS:
        click.echo(f"    {account['role'].value:<10} {account['email']}")
    click.echo("")
    app.run(host=host, port=port, debug=False, use_reloader=False)


def _add_command_groups() -> None:
    # Groups of the pure libraries; their heavy imports happen inside the commands, so start-up stays lean.
    # A missing module is an error here, at start-up: the documented commands are never quietly left out.
    import importlib

    for module_name, group in (
        ("talent.cli_rules", "rules"),
        ("talent.cli_match", "match"),
        ("talent.cli_publicity", "publicity"),
        ("talent.cli_occupations", "occupations"),
        ("talent.cli_keys", "keys"),
        ("talent.cli_notifications", "notifications"),
    ):
        module = importlib.import_module(module_name)
        main.add_command(getattr(module, group))


_add_command_groups()

from talent.cli_tasks import register as _register_task_commands  # noqa: E402

_register_task_commands(main)




# Issue 11: youth-talent apartments and card-holder services.
def _add_issue_11_groups() -> None:
    from talent.cli_apartments import apartments
    from talent.cli_services import services

    main.add_command(apartments)
    main.add_command(services)


_add_issue_11_groups()


# Issue 12, item 5: the programme's figures.
def _add_figures_group() -> None:
    from talent.cli_figures import figures

    main.add_command(figures)


_add_figures_group()
