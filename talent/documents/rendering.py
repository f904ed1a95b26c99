"""HTML → PDF with WeasyPrint: Jinja2 templates with autoescape, and a URL fetcher that fetches nothing.

The documents carry personal data, and the holder's name or a reason text could contain markup, so
nothing a template produces may reach the file system or the network: the fetcher only decodes
``data:`` URIs (the QR code and the emblem are embedded that way) and refuses everything else. Fonts come
from fontconfig (the system's WenQuanYi Micro Hei), never from a URL.
"""

from __future__ import annotations

import logging
from datetime import date
from functools import cache
from pathlib import Path

import jinja2
import weasyprint
from weasyprint.urls import URLFetcher

logger = logging.getLogger(__name__)

# The one place that knows where the document templates live (the lead may move them into the package).
_CHECKOUT_TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates" / "documents"
# An installed copy carries them inside the package (setup.py copies templates/ into talent/templates).
TEMPLATES_DIR = (_CHECKOUT_TEMPLATES if _CHECKOUT_TEMPLATES.is_dir()
                 else Path(__file__).resolve().parent.parent / "templates" / "documents")

ALLOWED_URL_SCHEMES = frozenset({"data"})


class SafeURLFetcher(URLFetcher):
    """Serves ``data:`` URIs only; every other URL is refused and remembered in ``refused``.

    WeasyPrint turns the refusal into a logged warning and leaves the resource out, so a document
    that references ``file:///etc/passwd`` or ``http://…`` still renders, without it.
    """

    def __init__(self) -> None:
        super().__init__(timeout=1, allowed_protocols=ALLOWED_URL_SCHEMES, allow_redirects=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None):  # type: ignore[override]
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme not in ALLOWED_URL_SCHEMES:
            self.refused.append(url)
            logger.warning("document renderer refused to fetch %.200s", url)
            raise ValueError(f"fetching {scheme or 'relative'} URLs is not allowed in documents")
        return super().fetch(url, headers)


def format_yuan(amount: int) -> str:
    """Integer yuan with thousands separators: 1000000 → "1,000,000"."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError(f"money must be integer yuan, got {amount!r}")
    return f"{amount:,}"


def format_zh_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def format_en_date(day: date) -> str:
    return f"{day.day} {day:%B} {day.year}"


@cache
def template_environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["yuan"] = format_yuan
    environment.filters["zh_date"] = format_zh_date
    environment.filters["en_date"] = format_en_date
    return environment


def render_template(name: str, **context: object) -> str:
    return template_environment().get_template(name).render(**context)


def html_to_pdf(html: str, fetcher: SafeURLFetcher | None = None) -> bytes:
    """Lay out ``html`` and return the PDF; only ``data:`` resources are loaded."""
    document = weasyprint.HTML(string=html, url_fetcher=fetcher or SafeURLFetcher())
    return document.write_pdf()
