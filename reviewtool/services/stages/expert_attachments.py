"""Which attachments experts may open (批次设置: 专家可查看的附件).

A batch may show its experts every attachment (the default), only some kinds
— often just the 申报书, keeping budgets and certificates to the staff — or
none. Kept in ``batch.settings["expert_attachment_kinds"]`` and read where the
expert's workspace lists an application's files (``my_reviews.workspace``);
on PostgreSQL the row-level policies give an expert the attachments of the
applications assigned to them, and the workspace narrows by kind.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from reviewtool.core.errors import UserError
from reviewtool.i18n import _
from reviewtool.services import audit
from reviewtool.services.changes import Changes
from reviewtool.services.intake.attachments import KINDS
from reviewtool.services.my_reviews.workspace import EXPERT_ATTACHMENTS_KEY, allowed_attachment_kinds
from reviewtool.storage.models import Batch


def kind_labels() -> list[tuple[str, str]]:
    """Every attachment kind, with its label, in the order the app lists them."""
    return [(key, _(label)) for key, label in KINDS.items()]


def parse_kinds(text: str) -> frozenset[str] | None:
    """``all`` → None (every kind), ``none`` → no kind, else comma-separated kinds (keys or labels)."""
    words = [w.strip() for w in text.replace("，", ",").split(",") if w.strip()]
    if [w.lower() for w in words] == ["all"]:
        return None
    if [w.lower() for w in words] == ["none"]:
        return frozenset()
    by_label = {label: key for key, label in kind_labels()}
    unknown = [w for w in words if w not in KINDS and w not in by_label]
    if unknown or not words:
        raise UserError(
            _("Unknown attachment kind {kind}; use all, none or some of: {kinds}.").format(
                kind="、".join(unknown) or "''", kinds=", ".join(KINDS)
            )
        )
    return frozenset(by_label.get(w, w) for w in words)


def set_expert_attachment_kinds(session: Session, batch_id: int, kinds: Iterable[str] | None, *, actor: str) -> Changes:
    """Let experts open only attachments of ``kinds`` (None: every kind; empty: none)."""
    batch = session.get(Batch, batch_id)
    new = None if kinds is None else frozenset(kinds)
    if new is not None and not new <= set(KINDS):
        raise UserError(_("Unknown attachment kind {kind}.").format(kind="、".join(sorted(new - set(KINDS)))))
    if new == frozenset(KINDS):
        new = None  # every kind there is: also the kinds a later version adds
    old = allowed_attachment_kinds(batch)
    if old == new:
        return Changes()
    settings = dict(batch.settings or {})
    if new is None:
        settings.pop(EXPERT_ATTACHMENTS_KEY, None)
    else:
        settings[EXPERT_ATTACHMENTS_KEY] = sorted(new)
    batch.settings = settings
    audit.record(
        session, actor=actor, action="stage.attachments", entity_type="batch", entity_id=batch.id, batch_id=batch.id,
        summary=_("Experts may open: {kinds}").format(kinds=describe(new)),
        details={"old": None if old is None else sorted(old), "new": None if new is None else sorted(new)},
    )  # fmt: skip
    return Changes(batches=True, message=_("Saved."))


def describe(kinds: frozenset[str] | None) -> str:
    """The kinds in words: 全部附件, 不开放附件, or their labels."""
    if kinds is None:
        return _("every attachment")
    if not kinds:
        return _("no attachments")
    return "、".join(label for key, label in kind_labels() if key in kinds)
