"""The audit trail is hash-chained: ``audit verify`` catches a record altered, removed or inserted
out of place, on both engines; concurrent writers never fork the chain."""

from __future__ import annotations

import json
import threading

from sqlalchemy import delete, func, select, text, update

from reviewtool.cli.main import main
from reviewtool.services import audit
from reviewtool.storage import audit_chain
from reviewtool.storage.models import AuditEvent


def _write(database, count: int, tag: str = "x") -> None:
    with database.session() as session:
        for i in range(count):
            audit.record(
                session, actor="tester", action="test.chain", entity_type="t", entity_id=i,
                summary=f"第 {i} 条（{tag}）", details={"i": i, "名": "值"},
            )  # fmt: skip


def _events(database) -> list[AuditEvent]:
    with database.session() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))


def _verify(database, **kwargs) -> audit.ChainCheck:
    with database.session() as session:
        return audit.verify(session, **kwargs)


def test_a_fresh_chain_verifies_and_numbers_its_records(any_db):
    _write(any_db, 5)
    events = _events(any_db)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == audit_chain.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    check = _verify(any_db)
    assert (check.ok, check.records, check.first_broken, check.last_hash) == (True, len(events), None, events[-1].hash)
    assert check.reason == f"全部 {len(events)} 条记录首尾相接，链条完整。"


def test_an_altered_record_is_caught(any_db):
    _write(any_db, 5)
    target = _events(any_db)[2]
    with any_db.session() as session:  # the owner, with direct access
        session.execute(update(AuditEvent).where(AuditEvent.id == target.id).values(summary="改过的摘要"))
    check = _verify(any_db)
    assert (check.ok, check.first_broken, check.records) == (False, target.id, 3)
    assert "被修改" in check.reason


def test_an_altered_record_with_its_hash_recomputed_breaks_the_next_link(any_db):
    _write(any_db, 5)
    events = _events(any_db)
    target = events[1]
    forged = audit_chain.link_hash(
        target.prev_hash, target.seq, target.at, "别人", target.action, target.entity_type, target.entity_id,
        target.batch_id, target.summary, _details_text(any_db, target.id),
    )  # fmt: skip
    with any_db.session() as session:
        session.execute(update(AuditEvent).where(AuditEvent.id == target.id).values(actor="别人", hash=forged))
    check = _verify(any_db)
    assert (check.ok, check.first_broken) == (False, events[2].id)
    assert "接不上" in check.reason


def test_a_removed_record_is_caught(any_db):
    _write(any_db, 5)
    events = _events(any_db)
    with any_db.session() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.id == events[2].id))
    check = _verify(any_db)
    assert (check.ok, check.first_broken) == (False, events[3].id)
    assert "之前有 1 条记录被删除" in check.reason


def test_removing_the_newest_records_is_caught_against_a_noted_hash(any_db):
    _write(any_db, 4)
    noted = _verify(any_db).last_hash
    events = _events(any_db)
    with any_db.session() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.id == events[-1].id))
    assert _verify(any_db).ok  # the chain alone cannot tell
    check = _verify(any_db, expect_last=noted)
    assert not check.ok and "最新的记录被删除" in check.reason


def _details_text(database, event_id: int) -> str:
    with database.session() as session:
        return session.scalar(text("SELECT CAST(details AS TEXT) FROM audit_event WHERE id = :i"), {"i": event_id})


def test_a_record_inserted_out_of_place_is_caught(any_db):
    """Someone with direct access makes room after record 2 and slips in a record with a correct hash."""
    _write(any_db, 5)
    events = _events(any_db)
    after = events[1]
    with any_db.session() as session:
        pg = not any_db.is_sqlite
        if pg:  # the owner can switch the chaining trigger off; nobody else can
            session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER rt_audit_chain"))
        session.execute(update(AuditEvent).where(AuditEvent.seq > after.seq).values(seq=AuditEvent.seq + 1000))
        session.execute(update(AuditEvent).where(AuditEvent.seq > 1000).values(seq=AuditEvent.seq - 999))
        at = after.at
        digest = audit_chain.link_hash(
            after.hash, after.seq + 1, at, "tester", "test.forged", "t", None, None, "", "{}"
        )
        session.execute(
            text(
                "INSERT INTO audit_event (seq, prev_hash, hash, at, actor, action, entity_type, summary, details) "
                "VALUES (:s, :p, :h, :at, 'tester', 'test.forged', 't', '', '{}')"
            ),
            {"s": after.seq + 1, "p": after.hash, "h": digest, "at": at},
        )
        if pg:
            session.execute(text("ALTER TABLE audit_event ENABLE TRIGGER rt_audit_chain"))
    check = _verify(any_db)
    assert (check.ok, check.first_broken) == (False, events[2].id)


def test_audit_verify_on_the_command_line(any_db, capsys):
    _write(any_db, 3)
    assert main(["--db", any_db.url, "audit", "verify", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True and report["first_broken"] is None and report["records"] == len(_events(any_db))
    assert set(report) >= {"ok", "records", "first_broken", "reason"}
    with any_db.session() as session:
        session.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(details={"改": 1}))
    assert main(["--db", any_db.url, "audit", "verify", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["first_broken"] == _events(any_db)[1].id
    assert main(["--db", any_db.url, "audit", "verify"]) == 1
    assert "被修改" in capsys.readouterr().out


def test_concurrent_writers_never_fork_the_chain(any_db):
    """Four writers append at once, each in its own transactions: one chain, numbered without gaps."""
    before = len(_events(any_db))
    errors: list[BaseException] = []

    def writer(tag: str) -> None:
        try:
            for _ in range(10):
                _write(any_db, 2, tag)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    events = _events(any_db)
    assert len(events) == before + 80
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert _verify(any_db).ok
    with any_db.session() as session:
        assert session.scalar(select(func.count(func.distinct(AuditEvent.prev_hash)))) == len(events)
