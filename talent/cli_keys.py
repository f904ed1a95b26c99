"""`talent keys`: the keys that encrypt ID numbers (TALENT_ID_KEY, see talent/keys.py and docs/security.md)."""

from __future__ import annotations

import click


@click.group(help="Keys that encrypt ID numbers at rest (TALENT_ID_KEY).")
def keys() -> None:
    pass


@keys.command("new")
@click.option("--kid", default="k1", show_default=True, help="The key id stored with every value it encrypts.")
def new_key(kid: str) -> None:
    """Print a new random key as `kid:key`, to put first in TALENT_ID_KEY."""
    from talent.keys import new_key_text

    click.echo(new_key_text(kid))


@keys.command("rotate")
def rotate_command() -> None:
    """Re-encrypt every ID number and TOTP secret under the current (first) key of TALENT_ID_KEY, recompute
    every lookup digest, and move plain-text ID numbers left in applications by older versions into
    encrypted storage. Keep the old keys listed until this has run; then they can be removed."""
    from talent import create_app
    from talent.db import db
    from talent.services.identities import rotate

    app = create_app()
    with app.app_context(), db.command_transaction() as session:
        ring = app.extensions["talent.keys"]
        counts = rotate(session, ring)
    click.echo(
        f"Current key {ring.current_kid}: {counts['identities']} ID numbers re-encrypted, "
        f"{counts['moved']} applications moved off plain text, {counts['person_records']} history records "
        f"re-keyed, {counts['totp_secrets']} TOTP secrets re-encrypted."
    )
