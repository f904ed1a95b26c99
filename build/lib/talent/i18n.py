"""Languages: Simplified Chinese by default, English by a switch or the browser's Accept-Language.

Message ids are the Chinese text itself, so the default language never depends on a catalogue; the English
catalogues live in `talent/translations/en/LC_MESSAGES/<domain>.po`, one domain per area so that areas can
be translated independently. `python -m talent.i18n` compiles every catalogue (run at install time).
"""

from __future__ import annotations

import sys
from pathlib import Path

from flask import Flask, request, session

TRANSLATIONS = Path(__file__).parent / "translations"
LOCALES = {"zh": "zh_Hans_CN", "en": "en"}


def domains() -> list[str]:
    found = {p.stem for p in TRANSLATIONS.glob("*/LC_MESSAGES/*.po")}
    return sorted(found) or ["messages"]


def select_locale() -> str:
    wanted = request.args.get("lang") or session.get("lang")
    if wanted in LOCALES:
        return LOCALES[wanted]
    return LOCALES[request.accept_languages.best_match(list(LOCALES), default="zh")]


def current_language() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return "en" if locale is not None and locale.language == "en" else "zh"


def init_app(app: Flask) -> None:
    from flask_babel import Babel

    compile_catalogues(only_if_stale=True)
    # Flask-Babel pairs each domain with a directory, so the directory is repeated once per domain.
    names = domains()
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join([str(TRANSLATIONS)] * len(names))
    app.config["BABEL_DOMAIN"] = ";".join(names)
    Babel(app, locale_selector=select_locale)

    @app.before_request
    def _remember_language() -> None:
        lang = request.args.get("lang")
        if lang in LOCALES:
            session["lang"] = lang

    app.jinja_env.globals["current_language"] = current_language


def compile_catalogues(only_if_stale: bool = False) -> list[Path]:
    """Compile every .po catalogue to .mo; returns the files written."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po_path in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if only_if_stale and mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        locale = po_path.parent.parent.name
        with po_path.open("rb") as handle:
            catalogue = read_po(handle, locale=locale, domain=po_path.stem)
        try:
            with mo_path.open("wb") as handle:
                write_mo(handle, catalogue)
        except OSError:  # an installed, read-only package: compiled at install time already
            continue
        written.append(mo_path)
    return written


if __name__ == "__main__":
    for path in compile_catalogues():
        print(f"compiled {path.relative_to(TRANSLATIONS.parent.parent)}", file=sys.stderr)
