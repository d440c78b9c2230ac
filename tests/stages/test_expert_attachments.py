"""Which attachments experts may open (专家可查看的附件): every kind by default,
some kinds, or none; set by the service, the CLI (``stage settings
--expert-attachments``) and recorded in the audit trail."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from reviewtool.cli.main import main
from reviewtool.core.errors import UserError
from reviewtool.services.batches.batch import create_batch
from reviewtool.services.my_reviews.workspace import allowed_attachment_kinds
from reviewtool.services.stages.expert_attachments import describe, parse_kinds, set_expert_attachment_kinds
from reviewtool.storage.models import AuditEvent, Batch

BATCH = "2027年度测试批次"


def test_kinds_are_read_as_keys_labels_all_or_none():
    assert parse_kinds("all") is None and parse_kinds("none") == frozenset()
    assert parse_kinds("application_form，budget") == {"application_form", "budget"}
    assert parse_kinds("申报书, budget") == {"application_form", "budget"}  # the label as the app shows it
    with pytest.raises(UserError, match="合同"):
        parse_kinds("application_form,合同")
    with pytest.raises(UserError):
        parse_kinds(" , ")


def test_setting_the_kinds_is_audited_and_every_kind_is_the_default(db):
    with db.session() as s:
        batch_id, _c = create_batch(s, {"name": BATCH}, actor="t")
        assert allowed_attachment_kinds(s.get(Batch, batch_id)) is None
        assert set_expert_attachment_kinds(s, batch_id, {"application_form"}, actor="李娟").batches
        assert not set_expert_attachment_kinds(s, batch_id, {"application_form"}, actor="李娟").any()  # no change
        assert allowed_attachment_kinds(s.get(Batch, batch_id)) == {"application_form"}
        set_expert_attachment_kinds(s, batch_id, set(), actor="李娟")
        assert allowed_attachment_kinds(s.get(Batch, batch_id)) == frozenset()
        set_expert_attachment_kinds(s, batch_id, {"application_form", "budget", "certificate", "other"}, actor="李娟")
        assert allowed_attachment_kinds(s.get(Batch, batch_id)) is None  # all ticked: also kinds added later
        records = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "stage.attachments").order_by(AuditEvent.id)
        ).all()
        assert [(r.actor, r.details["new"]) for r in records] == [
            ("李娟", ["application_form"]), ("李娟", []), ("李娟", None)
        ]  # fmt: skip
        with pytest.raises(UserError):
            set_expert_attachment_kinds(s, batch_id, {"contract"}, actor="李娟")
    assert describe(frozenset()) == "不开放附件" and describe(None) == "全部附件"


def test_the_cli_sets_and_reports_the_kinds(db, capsys):
    with db.session() as s:
        create_batch(s, {"name": BATCH}, actor="t")
    base = ["stage", "settings", "--batch", BATCH, "--db", db.url]
    assert main([*base, "--expert-attachments", "application_form,budget", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["expert_attachment_kinds"] == ["application_form", "budget"]
    assert main(base) == 0
    assert "专家可查看的附件：申报书、" in capsys.readouterr().out
    assert main([*base, "--expert-attachments", "合同"]) == 1
    assert "合同" in capsys.readouterr().err
