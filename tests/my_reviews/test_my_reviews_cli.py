"""``reviewtool-cli my-reviews``: an expert logged in with $REVIEWTOOL_USER / $REVIEWTOOL_PASSWORD lists
their own assignments, reads a summary and makes the stage's declarations, all with --json; a user
error is one translated sentence, never a traceback."""

from __future__ import annotations

import json

import pytest
from my_reviews_world import EXPERT_LOGIN, PASSWORD, expert_world
from sqlalchemy import select

from reviewtool.cli.main import main
from reviewtool.core.enums import AssignmentStatus
from reviewtool.storage.database import Database
from reviewtool.storage.models import Application, Assignment, AuditEvent


@pytest.fixture
def db(sqlite_db):
    """Local users belong to an SQLite file (on PostgreSQL the server's login roles are the users)."""
    return sqlite_db


@pytest.fixture
def expert_cli(db, monkeypatch):
    world = expert_world(db)
    monkeypatch.setenv("REVIEWTOOL_USER", EXPERT_LOGIN)
    monkeypatch.setenv("REVIEWTOOL_PASSWORD", PASSWORD)
    with Database(db.url).session() as session:
        numbers = dict(session.execute(select(Application.id, Application.number)).all())
    return world, numbers


def _json(capsys, *args) -> tuple[int, object]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, (json.loads(out.out) if code == 0 else out.err)


def test_list_show_and_declare_as_the_logged_in_expert(db, expert_cli, capsys):
    world, numbers = expert_cli
    code, stages = _json(capsys, "--db", db.url, "my-reviews", "list", "--json")
    assert code == 0
    assert {a["application_id"] for s in stages for a in s["assignments"]} == set(world.mine)
    assert [s["declared"] for s in stages] == [False] and stages[0]["current"] is True
    assert not [n for n in world.others if n in json.dumps(stages, ensure_ascii=False)]
    avoided, kept = (numbers[a] for a in world.fresh)
    code, shown = _json(capsys, "--db", db.url, "my-reviews", "show", kept, "--json")
    assert code == 0 and shown["number"] == kept and shown["stage_id"] == world.stage_id and shown["abstract"]
    # Neither or both of --avoid and --no-conflict; the commitment is required.
    code, err = _json(capsys, "--db", db.url, "my-reviews", "declare", "--accept-confidentiality", "--json")
    assert code != 0 and "--no-conflict" in err and "Traceback" not in err
    code, err = _json(capsys, "--db", db.url, "my-reviews", "declare", "--no-conflict", "--json")
    assert code != 0 and "必须接受保密承诺" in err
    code, done = _json(
        capsys, "--db", db.url, "my-reviews", "declare", "--avoid", f"{avoided}=本人为项目合作单位顾问",
        "--accept-confidentiality", "--json",
    )  # fmt: skip
    assert code == 0 and done["ok"] and [c["number"] for c in done["conflicts"]] == [avoided]
    assert done["accepted_by"] == EXPERT_LOGIN and done["stage_id"] == world.stage_id
    code, stages = _json(capsys, "--db", db.url, "my-reviews", "list", "--json")
    states = {a["number"]: a["assignment"] for s in stages for a in s["assignments"]}
    assert stages[0]["declared"] and states[avoided] == "conflict" and states[kept] == "active"
    code, err = _json(capsys, "--db", db.url, "my-reviews", "declare", "--no-conflict", "--accept-confidentiality")
    assert code != 0 and "已经作出" in err
    with Database(db.url).session() as session:
        item = session.scalar(
            select(Assignment).where(
                Assignment.expert_id == world.expert_id, Assignment.application_id == world.fresh[0]
            )
        )
        assert item.status is AssignmentStatus.CONFLICT_DECLARED
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(2)).all()
        assert [(e.action, e.actor) for e in last] == [
            ("assignment.conflict", EXPERT_LOGIN), ("declaration.accept", EXPERT_LOGIN),
        ]  # fmt: skip


def test_another_experts_application_and_staff_are_refused(db, expert_cli, capsys, monkeypatch):
    world, numbers = expert_cli
    foreign = next(n for i, n in numbers.items() if i not in world.mine)
    code, err = _json(capsys, "--db", db.url, "my-reviews", "show", foreign, "--json")
    assert code != 0 and "不是分配给您的评审项目" in err
    code, err = _json(capsys, "--db", db.url, "my-reviews", "list", "--expert", str(world.expert_id + 1))
    assert code != 0 and "只能查看本人" in err
    code, err = _json(capsys, "--lang", "en", "--db", db.url, "my-reviews", "show", foreign)
    assert code != 0 and "is not one of your assignments" in err  # and in English
    code, english = _json(capsys, "--lang", "en", "--db", db.url, "my-reviews", "list", "--json")
    assert {a["state"] for s in english for a in s["assignments"]} <= {"Not started", "Submitted", "Draft"}
    monkeypatch.setenv("REVIEWTOOL_USER", "staff1")
    code, err = _json(capsys, "--db", db.url, "my-reviews", "list", "--json")
    assert code != 0 and "未关联专家" in err
