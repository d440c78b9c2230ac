"""Every document export leaves a record (``documents.export``): which
document, which batch, the files written, whether it was anonymised — and
whether it is confidential (保密): expert identities, scores and opinions
before they are published, who reviews what. 纪检 can then see who took
which confidential paper out of the system, and when.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.orm import Session

from reviewtool.i18n import N_, _
from reviewtool.services import audit

#: Export code → its title (the codes of ``services.exports.run.EXPORTS`` and the CLI's).
TITLES = {
    "expert": N_("Expert review sheets"),
    "blank": N_("Blank review sheets"),
    "blank_by_expert": N_("Blank review sheets, one packet per expert"),
    "panel": N_("Panel review opinion sheets"),
    "panel_docx": N_("Panel review opinion sheets (Word)"),
    "leader_draft": N_("Panel leader's summary drafts"),
    "applicant": N_("Comments for applicants"),
    "publicity": N_("Public notice and list"),
    "notices": N_("Outcome letters to applicant units"),
    "signin": N_("Sign-in sheet of a panel"),
    "fees": N_("Review fee receipt of a panel"),
    "summary": N_("Review results summary"),
    "funding": N_("Funding recommendation list"),
    "matrix": N_("Score matrix"),
    "batch": N_("Whole batch data"),
}
#: Confidential whatever the options: who reviews what, expert names with their fees, every score.
ALWAYS_CONFIDENTIAL = frozenset({"blank_by_expert", "signin", "fees", "summary", "funding", "matrix", "batch"})
#: Confidential unless anonymised (the experts' names are the secret).
NAMED = frozenset({"expert", "panel", "panel_docx", "leader_draft"})


def base_code(what: str) -> str:
    """``publicity_pdf`` → ``publicity``; ``funding_xlsx`` → ``funding``."""
    for prefix in ("publicity", "notices", "funding"):
        if what.startswith(prefix):
            return prefix
    return what


def is_confidential(what: str, *, anonymous: bool = False, per_expert: bool = False) -> bool:
    code = base_code(what)
    if code in ALWAYS_CONFIDENTIAL:
        return True
    if code in NAMED:
        return not anonymous
    return code == "blank" and per_expert


def record_export(
    session: Session,
    what: str,
    batch_id: int | None,
    files: Iterable[str | Path],
    *,
    actor: str,
    anonymous: bool = False,
    per_expert: bool = False,
    stage: str | None = None,
) -> None:
    """One ``documents.export`` record for an export just written."""
    code = base_code(what)
    names = [Path(f).name for f in files]
    confidential = is_confidential(what, anonymous=anonymous, per_expert=per_expert)
    title = _(TITLES[code]) if code in TITLES else what
    summary = (
        _("Exported {document} (confidential): {count} files")
        if confidential
        else _("Exported {document}: {count} files")
    ).format(document=title, count=len(names))
    audit.record(
        session,
        actor=actor or audit.default_actor(),
        action="documents.export",
        entity_type="document",
        batch_id=batch_id,
        summary=summary,
        details={
            "what": what,
            "title": title,
            "files": names,
            "confidential": confidential,
            "anonymous": anonymous,
            "stage": stage,
        },
    )


def recorded_export(run):
    """Decorates ``run_export(session, request, …)`` so every export it writes is recorded
    (``request.actor``, else the operator's login name)."""
    import functools

    @functools.wraps(run)
    def wrapper(session: Session, request, *args, **kwargs):
        result = run(session, request, *args, **kwargs)
        record_export(
            session,
            request.what,
            request.batch_id,
            result.files,
            actor=getattr(request, "actor", "") or audit.default_actor(),
            anonymous=request.anonymous,
            per_expert=request.per_expert or request.what == "blank_by_expert",
        )
        return result

    return wrapper
