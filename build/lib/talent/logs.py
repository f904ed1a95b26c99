"""Structured logging: one JSON object per line, with resident ID numbers masked wherever they appear."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from typing import Any

from flask import Flask, g, request

# 17 digits and a check character, not part of a longer number.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9A-Za-z])")


def mask_id_numbers(text: str) -> str:
    return _ID_NUMBER.sub(lambda m: f"{m.group(1)}********{m.group(2)[-4:]}", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "method", "path", "status", "duration_ms", "user_id"):
            if hasattr(record, key):
                payload[key] = getattr(record, key)
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return mask_id_numbers(json.dumps(payload, ensure_ascii=False))


class MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_id_numbers(super().format(record))


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if app.config.get("LOG_JSON", True):
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("talent")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    root.propagate = False
    app.logger.handlers[:] = [handler]

    access = logging.getLogger("talent.access")

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()
        g.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex[:16]

    @app.after_request
    def _log_request(response: Any) -> Any:
        started = g.get("request_started")
        if started is not None and not request.path.startswith("/static/"):
            access.info(
                "request",
                extra={
                    "request_id": g.get("request_id"),
                    "method": request.method,
                    # the query string may carry personal data; log the path only
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": g.get("user_id"),
                },
            )
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response
