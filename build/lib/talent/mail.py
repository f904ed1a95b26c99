"""E-mail: every message the platform sends leaves through `send_mail`.

With `TALENT_SMTP_URL` (`smtp://[user:pass@]host:port`, or `smtps://` for TLS from the start) messages go over a
real SMTP connection (STARTTLS is used when the server offers it); without it each message is written as an .eml
file under `<instance>/outbox`, so development needs no mail server and a person can open what was sent.

`send_mail` is the one call the services use. Delivery happens in the calling process here; when a task queue is
configured the queue layer may route delivery through a task (with retries), keeping this signature.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
import uuid
from collections.abc import Mapping
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

DEFAULT_SENDER = "长春人才服务平台 <no-reply@talent.localhost>"


def build_message(to: str, subject: str, text: str, html: str | None = None, sender: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender or DEFAULT_SENDER
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    message["Message-ID"] = make_msgid(domain="talent.localhost")
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def deliver(message: EmailMessage, config: Mapping[str, Any]) -> str:
    """Send one message now; returns where it went (`smtp://host:port` or the .eml path)."""
    url = config.get("SMTP_URL")
    if url:
        return _deliver_smtp(message, url)
    outbox = Path(config.get("MAIL_OUTBOX") or Path(config["INSTANCE_PATH"]) / "outbox")
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    path = outbox / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
    path.write_bytes(bytes(message))
    return str(path)


def _deliver_smtp(message: EmailMessage, url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise ValueError("TALENT_SMTP_URL must look like smtp://[user:pass@]host:port or smtps://…")
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    context = ssl.create_default_context()
    if parts.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(parts.hostname, port, timeout=30, context=context)
    else:
        client = smtplib.SMTP(parts.hostname, port, timeout=30)
    with client:
        client.ehlo()
        if parts.scheme == "smtp" and client.has_extn("starttls"):
            client.starttls(context=context)
            client.ehlo()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)
    return f"{parts.scheme}://{parts.hostname}:{port}"


def send_mail(to: str, subject: str, text: str, html: str | None = None) -> str:
    """Send a message with the current application's configuration."""
    from flask import current_app

    config = current_app.config
    return deliver(build_message(to, subject, text, html, config.get("MAIL_FROM")), config)
