"""Work that must wait for the transaction's outcome: run after it commits, or undo after it rolls back.

A task enqueued from inside a transaction must not reach a worker before the rows it reads are committed (and
must never be sent when the transaction rolls back); a file written to storage during a request must not stay
when the request's transaction rolls back. Both hook into the SQLAlchemy session that holds the transaction:

    after_commit(session, lambda: send_task(...))
    after_rollback(session, lambda: storage.delete(key))

Without a transaction in progress, `after_commit` runs its callback at once and `after_rollback` does nothing.
Callbacks run once, in order; a failing callback is logged and does not stop the others (the transaction's
outcome is already decided).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger("talent.commit_hooks")

_COMMIT_KEY = "talent.after_commit"
_ROLLBACK_KEY = "talent.after_rollback"
_LISTENING_KEY = "talent.hooks_listening"


def after_commit(session: Session | None, callback: Callable[[], Any]) -> None:
    """Run `callback` once the session's current transaction commits (now if none is in progress)."""
    if session is None or not session.in_transaction():
        callback()
        return
    _listen(session)
    session.info.setdefault(_COMMIT_KEY, []).append(callback)


def after_rollback(session: Session | None, callback: Callable[[], Any]) -> None:
    """Run `callback` if the session's current transaction ends without committing (rolled back, or the
    session closed); forgotten when it commits. A savepoint rolled back does not count: the outer transaction
    may still commit."""
    if session is None or not session.in_transaction():
        return
    _listen(session)
    session.info.setdefault(_ROLLBACK_KEY, []).append(callback)


def _listen(session: Session) -> None:
    if session.info.get(_LISTENING_KEY):
        return
    session.info[_LISTENING_KEY] = True
    event.listen(session, "after_commit", _on_commit)
    event.listen(session, "after_transaction_end", _on_end)


def _run(callbacks: list[Callable[[], Any]], what: str) -> None:
    for callback in callbacks:
        try:
            callback()
        except Exception:
            log.exception("a callback %s failed", what)


def _on_commit(session: Session) -> None:
    # after_commit also fires when a savepoint is released; the savepoint is still current then.
    if session.get_nested_transaction() is not None:
        return
    session.info.pop(_ROLLBACK_KEY, None)
    _run(session.info.pop(_COMMIT_KEY, []), "after commit")


def _on_end(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction ended without a commit (rolled back, or the session was closed): what was
    # to happen after the commit is dropped, what undoes the transaction's side effects runs.
    if transaction.nested or transaction.parent is not None:
        return
    session.info.pop(_COMMIT_KEY, None)
    _run(session.info.pop(_ROLLBACK_KEY, []), "after rollback")
