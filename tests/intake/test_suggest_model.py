"""The suggester a database gets: learning from confirmed tags, and the model cache."""

from __future__ import annotations

from reviewtool.core.intake.form import ApplicationForm
from reviewtool.services.intake import suggest_model, tagging
from reviewtool.services.intake.edit import create_application
from reviewtool.storage.models import Batch

TITLE = "河湟地区黄土丘陵沟壑区梯田改造与保水保土技术"


def _application(session, batch_id, title):
    app_id, _changes = create_application(
        session,
        batch_id,
        ApplicationForm(title=title, unit_name="某研究所", pi_name="王五", requested_amount="10"),
        actor="t",
    )
    return app_id


def test_confirmed_tags_teach_the_suggester(db):
    with db.session() as session:
        batch = Batch(name="2024年批次", year=2024)
        session.add(batch)
        session.flush()
        before = [s.code for s in tagging.suggest_areas(session, TITLE, limit=3)]
        assert "HD-I07" not in before[:1]
        for title in ("黄土丘陵沟壑区梯田保水保土耕作技术示范", "梯田改造与保水保土技术集成"):
            app_id = _application(session, batch.id, title)
            tagging.set_confirmed_areas(session, app_id, "HD-I07", [], actor="t")
    with db.session() as session:
        after = tagging.suggest_answer(session, TITLE, limit=3)
        assert after.suggestions[0].code == "HD-I07"
        assert any(word in after.suggestions[0].reasons for word in ("梯田", "保水", "保土"))


def test_the_model_is_cached_on_disk_and_rebuilt_when_tags_change(db, monkeypatch):
    with db.session() as session:
        key = suggest_model.model_key(session)
        suggest_model.suggester(session)
    path = suggest_model.cache_dir() / f"model-{key}.pickle"
    assert path.is_file()
    suggest_model._memory.clear()
    built = []
    original = suggest_model.AreaSuggester

    def counting(*args, **kwargs):
        built.append(kwargs.get("model") is None and bool(args))
        return original(*args, **kwargs)

    monkeypatch.setattr(suggest_model, "AreaSuggester", counting)
    with db.session() as session:
        suggest_model.suggester(session)
    assert built == [False]  # loaded from the file, not built
    path.write_bytes(b"not a pickle")
    suggest_model._memory.clear()
    with db.session() as session:
        assert suggest_model.suggester(session).answer("牦牛养殖").suggestions
        batch = Batch(name="b", year=2025)
        session.add(batch)
        session.flush()
        tagging.set_confirmed_areas(session, _application(session, batch.id, "牦牛养殖"), "HD-I05", [], actor="t")
        assert suggest_model.model_key(session) != key
