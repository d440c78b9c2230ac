"""Taking a record's lock before deciding on it: two people pressing one button at once.

A draw, a finalisation or a promotion first reads what is there (the panel's members, the stage's
status, the applications already promoted) and then writes a result. Two callers at once would both
read "nothing yet" and both write. ``lock_row`` makes the second wait until the first commits and
then re-reads the record, so it sees the first's result and is refused with the usual message
("已有成员", "已定稿") or finds nothing left to do, never a duplicate:

- **PostgreSQL**: ``SELECT … FOR NO KEY UPDATE`` on the row (not ``FOR UPDATE``: the key-share
  lock a new child row's foreign key takes does not conflict with it, so no upgrade deadlocks);
- **SQLite**: the database's write lock, taken now (a no-op UPDATE) rather than at the first write,
  so everything the caller reads afterwards is what the previous writer committed.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.orm import Session

T = TypeVar("T")


def lock_row(session: Session, model: type[T], row_id: int) -> T | None:
    """Hold ``model``'s row ``row_id`` until the transaction ends; return it as now committed."""
    if session.get_bind().dialect.name == "sqlite":
        table = model.__table__.name
        session.connection().execute(text(f'UPDATE "{table}" SET id = id WHERE 0'))
        return session.get(model, row_id, populate_existing=True)
    return session.get(model, row_id, with_for_update={"key_share": True}, populate_existing=True)
