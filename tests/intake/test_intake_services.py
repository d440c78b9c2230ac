"""The form, attachments, formal review and tagging services (no Qt)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from reviewtool.core.enums import ApplicationStatus, TagSource
from reviewtool.core.errors import Refused, UserError
from reviewtool.core.intake.form import ApplicationForm, validate_form
from reviewtool.services.intake import attachments, formal_review, tagging
from reviewtool.services.intake import edit as application_edit
from reviewtool.storage.models import (
    Application,
    ApplicationArea,
    AttachmentContent,
    AuditEvent,
    Batch,
    FormalCheckItem,
)


@pytest.fixture
def batch_id(db):
    with db.session() as session:
        batch = Batch(name="2025年海东市科技计划项目", year=2025)
        session.add(batch)
        session.flush()
        return batch.id


def form(**changes) -> ApplicationForm:
    values = dict(
        title="高原牦牛高效养殖与牛肉精深加工技术研发",
        unit_name="青海高原牦牛乳业有限公司",
        county="互助土族自治县",
        pi_name="张立新",
        pi_phone="13897000001",
        requested_amount="60",
        self_funding="40",
        total_budget="100",
        start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2026, 12, 1),
        primary_area="HD-I05",
    )
    values.update(changes)
    return ApplicationForm(**values)


def actions(db):
    with db.session() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_validate_form_reports_each_field():
    problems = validate_form(
        form(title="", requested_amount="abc", end_date=dt.date(2024, 1, 1), pi_email="x", county="西宁"),
        known_areas={"HD-I05"},
    )
    assert set(problems) == {"title", "requested_amount", "end_date", "pi_email", "county"}
    assert validate_form(form(), known_areas={"HD-I05"}) == {}
    assert set(validate_form(form(total_budget="90"))) == {"total_budget"}


def test_create_edit_delete_with_audit(db, batch_id):
    with db.session() as session:
        app_id, changes = application_edit.create_application(session, batch_id, form(), actor="tester")
    assert changes.applications
    with db.session() as session:
        application = session.get(Application, app_id)
        assert (application.number, application.requested_amount, application.unit.county) == (
            "2025-0001",
            Decimal(60),
            "互助土族自治县",
        )
        loaded = application_edit.load_form(session, app_id)
        assert loaded.primary_area == "HD-I05" and loaded.requested_amount == "60"
        version = application.row_version
    with db.session() as session:
        application_edit.update_application(
            session, app_id, form(requested_amount="70", total_budget="110", secondary_areas=["HD-C2-2"]),
            actor="tester", row_version=version,
        )  # fmt: skip
    with db.session() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "application.edit"))
        assert event.details["changes"]["requested_amount"] == ["60", "70"]
        assert event.details["changes"]["secondary_areas"] == [[], ["HD-C2-2"]]
    with db.session() as session, pytest.raises(Refused):
        application_edit.update_application(session, app_id, form(), actor="tester", row_version=version)
    with db.session() as session:
        application_edit.delete_application(session, app_id, actor="tester")
    with db.session() as session:
        assert session.get(Application, app_id) is None
        snapshot = session.scalar(select(AuditEvent.details).where(AuditEvent.action == "application.delete"))
        assert snapshot["snapshot"]["title"] == form().title
    assert actions(db) == ["application.create", "application.edit", "application.delete"]


def test_invalid_form_is_refused_and_nothing_is_written(db, batch_id):
    with db.session() as session, pytest.raises(UserError):
        application_edit.create_application(session, batch_id, form(requested_amount="-1"), actor="t")
    with db.session() as session:
        assert session.scalar(select(Application.id)) is None


def test_attachments_keep_bytes_and_checksum(db, batch_id, tmp_path):
    with db.session() as session:
        app_id, _ = application_edit.create_application(session, batch_id, form(), actor="t")
    pdf = tmp_path / "项目申报书.pdf"
    pdf.write_bytes(b"%PDF-1.4 test")
    with db.session() as session:
        attachment_id, _ = attachments.add_attachment(session, app_id, pdf, actor="t")
    with db.session() as session:
        (row,) = attachments.list_attachments(session, app_id)
        assert (row.kind, row.filename, row.media_type, row.size) == (
            "application_form",
            "项目申报书.pdf",
            "application/pdf",
            13,
        )
        with pytest.raises(UserError):
            attachments.add_attachment(session, app_id, pdf, actor="t")  # the same bytes twice
    with db.session() as session:
        out = attachments.export_attachment(session, attachment_id, tmp_path / "open")
    assert out.read_bytes() == b"%PDF-1.4 test"
    with db.session() as session:
        session.get(AttachmentContent, attachment_id).data = b"tampered"
    with db.session() as session, pytest.raises(UserError):
        attachments.read_attachment(session, attachment_id)
    with db.session() as session:
        attachments.remove_attachment(session, attachment_id, actor="t")
    with db.session() as session:
        assert attachments.list_attachments(session, app_id) == []
        assert session.get(AttachmentContent, attachment_id) is None


def test_formal_review_defaults_reasons_and_status(db, batch_id):
    with db.session() as session:
        app_id, _ = application_edit.create_application(session, batch_id, form(), actor="t")
        review = formal_review.review_of(session, app_id, actor="t")
    assert len(review.items) == 8 and all(item.passed is None for item in review.items)
    ids = [item.item_id for item in review.items]
    with db.session() as session:
        with pytest.raises(UserError):
            formal_review.record_review(session, app_id, {ids[3]: (False, "  ")}, actor="t")
    with db.session() as session:
        formal_review.record_review(session, app_id, {ids[0]: (True, "")}, actor="t")
        assert session.get(Application, app_id).status == ApplicationStatus.RECEIVED
        formal_review.record_review(session, app_id, {i: (True, "") for i in ids}, actor="t")
        assert session.get(Application, app_id).status == ApplicationStatus.FORMAL_PASSED
        formal_review.record_review(session, app_id, {ids[3]: (False, "逾期两天提交")}, actor="t")
        application = session.get(Application, app_id)
        assert application.status == ApplicationStatus.FORMAL_FAILED
        assert application.status_reason.endswith("：逾期两天提交")
    with db.session() as session:
        count = len(session.scalars(select(FormalCheckItem).where(FormalCheckItem.batch_id == batch_id)).all())
        assert count == 8  # created once
        statuses = [
            e.details["status"] for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "formal.review"))
        ]
        assert statuses == [
            ["received", "received"],
            ["received", "formal_passed"],
            ["formal_passed", "formal_failed"],
        ]
    with db.session() as session:
        session.get(Application, app_id).status = ApplicationStatus.SCORED
    with db.session() as session, pytest.raises(Refused):
        formal_review.record_review(session, app_id, {ids[3]: (True, "")}, actor="t")


def test_checklist_is_configurable(db, batch_id):
    with db.session() as session:
        items = formal_review.ensure_checklist(session, batch_id, actor="t")
        formal_review.save_checklist(
            session, batch_id, [(items[0].code, "单位注册地在海东市", True), ("new_item", "附件齐全", True)], actor="t"
        )
        rows = formal_review.ensure_checklist(session, batch_id, actor="t")
    active = [(r.code, r.text) for r in rows if r.active]
    assert active == [(items[0].code, "单位注册地在海东市"), ("new_item", "附件齐全")]
    assert len(rows) == 9


def test_suggestions_and_confirmed_tags_are_stored_apart(db, batch_id):
    with db.session() as session:
        app_id, _ = application_edit.create_application(session, batch_id, form(primary_area=""), actor="t")
        found = tagging.suggest_areas(session, form().title, "研究牦牛舍饲育肥和牛肉精深加工")
        assert found[0].code == "HD-I05" and "牦牛" in found[0].terms
        tagging.store_suggestions(session, app_id, found, actor="t")
        tagging.set_confirmed_areas(session, app_id, "HD-I05", ["HD-C2-2"], actor="t")
    with db.session() as session:
        rows = tagging.tags_of(session, app_id)
        confirmed = [(t.code, t.role.value) for t in rows if t.source == TagSource.CONFIRMED]
        suggested = [t for t in rows if t.source == TagSource.SUGGESTED]
        assert confirmed == [("HD-I05", "primary"), ("HD-C2-2", "secondary")]
        assert len(suggested) == 3 and suggested[0].score > 0 and suggested[0].terms
        assert (
            session.scalar(
                select(ApplicationArea.id).where(
                    ApplicationArea.score.is_(None), ApplicationArea.source == TagSource.SUGGESTED
                )
            )
            is None
        )
    with db.session() as session, pytest.raises(UserError):
        tagging.set_confirmed_areas(session, app_id, "HD-NOPE", [], actor="t")


def test_confirm_suggestions_only_where_nothing_is_confirmed(db, batch_id):
    with db.session() as session:
        untagged, _ = application_edit.create_application(session, batch_id, form(primary_area=""), actor="t")
        tagged, _ = application_edit.create_application(
            session, batch_id, form(title="另一个项目", primary_area="HD-I04"), actor="t"
        )
        for app_id in (untagged, tagged):
            tagging.store_suggestions(session, app_id, tagging.suggest_areas(session, form().title), actor="t")
        assert set(tagging.suggested_primary(session, [untagged, tagged])) == {untagged, tagged}
        changes = tagging.confirm_suggestions(session, [untagged, tagged], actor="t")
        assert changes.applications
    with db.session() as session:
        primary = {
            app_id: [t.code for t in tagging.tags_of(session, app_id) if t.source == TagSource.CONFIRMED]
            for app_id in (untagged, tagged)
        }
    assert primary == {untagged: ["HD-I05"], tagged: ["HD-I04"]}
