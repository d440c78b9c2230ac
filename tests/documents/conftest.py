"""Fixtures of the document and funding tests (the batch itself: scored_batch.py)."""

from __future__ import annotations

import pytest
from scored_batch import build_scored_batch


@pytest.fixture
def scored_db(db):
    with db.session() as session:
        info = build_scored_batch(session)
    db.info = info
    return db
