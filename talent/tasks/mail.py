"""Sending e-mail from a worker, with retries (`talent.mail.send_mail` enqueues it after the commit)."""

from __future__ import annotations

import smtplib
from email import message_from_string
from email import policy as email_policy
from typing import Any

from celery import shared_task

from talent.tasks import MAX_RETRY_WAIT


@shared_task(name="talent.deliver_mail", bind=True, ignore_result=True,
             autoretry_for=(OSError, smtplib.SMTPException), retry_backoff=30,
             retry_backoff_max=MAX_RETRY_WAIT, retry_jitter=True, max_retries=20)
def deliver_mail_task(self: Any, message: str) -> str:
    """Deliver one message (built by `send_mail`, so its Message-ID and Date are those of the request).

    A failure to reach the mail server is retried with growing waits (30 s, 1 min, 2 min, then every 3 min:
    20 times, about 55 minutes; `daily-services` retries failed notification mails later); the wait stays
    below the queue's visibility timeout, so a waiting retry is never handed to a second worker. A worker
    killed while sending hands the message to another (acks late), so a message may in
    rare cases arrive twice but is never lost.
    """
    from flask import current_app

    from talent.mail import deliver

    parsed = message_from_string(message, policy=email_policy.default)
    return deliver(parsed, current_app.config)  # type: ignore[arg-type]
