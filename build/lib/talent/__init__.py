"""The Changchun talent-services platform.

`create_app` is imported lazily so that the command-line tools that only need the pure libraries
(`talent rules eval`, `talent match rank`) start without loading Flask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["create_app"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask application (see talent.app.build_app)."""
    from talent.app import build_app

    return build_app(config)
