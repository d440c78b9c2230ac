"""The area suggester a database calls for: built from the active plan
editions and from the confirmed primary tags of past applications (the
bureau's own decisions), and cached.

The cache key is the plan editions' content hashes, the confirmed tags'
count and newest id, the newest edit of a tagged application and the model
version. Within a process the built suggester is kept in memory; across
processes it is pickled into the user cache folder (platformdirs), so one
``reviewtool-cli suggest-areas`` call loads a ready model instead of running
jieba over the plan again. A damaged or foreign cache file is rebuilt. The
files, and the quick path of a one-title CLI call that skips the database,
are ``suggest_cache``.

Threading: ``suggester`` may be called from any thread; the memory cache is
guarded by a lock and the built suggester is read-only.
"""

from __future__ import annotations

import hashlib
import threading

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reviewtool.core.enums import AreaRole, TagSource
from reviewtool.core.intake.suggest import (
    MODEL_VERSION,
    SUGGEST_KINDS,
    AreaSuggester,
    AreaText,
    Example,
    use_jieba_cache,
)
from reviewtool.services.intake.suggest_cache import cache_dir, load_model, model_path, store_model
from reviewtool.services.taxonomy import list_areas
from reviewtool.storage.models import Application, ApplicationArea, PlanEdition, PriorityArea

__all__ = ["cache_dir", "model_key", "suggester"]

_lock = threading.Lock()
_memory: dict[str, AreaSuggester] = {}


def model_key(session: Session) -> str:
    """What the model depends on, as a short hash (cheap: two aggregate queries)."""
    editions = session.execute(
        select(PlanEdition.code, PlanEdition.content_hash).where(PlanEdition.active).order_by(PlanEdition.code)
    ).all()
    confirmed = _confirmed_filter()
    count, newest_tag, newest_edit = session.execute(
        select(func.count(ApplicationArea.id), func.max(ApplicationArea.id), func.max(Application.updated_at))
        .join(Application, ApplicationArea.application_id == Application.id)
        .where(*confirmed)
    ).one()
    database = session.get_bind().url.render_as_string(hide_password=True)
    text = repr((MODEL_VERSION, database, [tuple(e) for e in editions], count, newest_tag, str(newest_edit)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def _confirmed_filter():
    return (ApplicationArea.source == TagSource.CONFIRMED, ApplicationArea.role == AreaRole.PRIMARY)


def area_texts(session: Session) -> list[AreaText]:
    rows = list_areas(session)
    by_code = {r.code: r for r in rows}
    return [
        AreaText(
            r.code,
            r.title,
            r.description,
            by_code[r.parent].title if r.parent in by_code else "",
            r.kind,
            (by_code[r.parent].description or "") if r.parent in by_code else "",
        )
        for r in rows
        if r.kind in SUGGEST_KINDS
    ]


def examples(session: Session) -> list[Example]:
    """Every application's confirmed primary area, as a labelled example."""
    stmt = (
        select(PriorityArea.code, Application.title, Application.abstract)
        .join(ApplicationArea, ApplicationArea.area_id == PriorityArea.id)
        .join(Application, ApplicationArea.application_id == Application.id)
        .where(*_confirmed_filter())
        .order_by(Application.id)
    )
    return [Example(code, title or "", abstract or "") for code, title, abstract in session.execute(stmt)]


def suggester(session: Session) -> AreaSuggester:
    """The suggester for this database's plan and confirmed tags (memory, then disk, then built)."""
    key = model_key(session)
    with _lock:
        found = _memory.get(key)
    if found is not None:
        return found
    path = model_path(key)
    model = load_model(path)
    built = AreaSuggester(model=model) if model is not None else None
    if built is None:
        use_jieba_cache(str(cache_dir()))
        built = AreaSuggester(area_texts(session), examples(session))
        store_model(path, built.model)
    with _lock:
        _memory.clear()
        _memory[key] = built
    return built
