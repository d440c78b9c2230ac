"""The applications list's search (the GUI's search box and ``applications list``):
the same matches on both engines — Chinese anywhere in the title, unit or
负责人, an 申报编号 in any letter case — and a count equal to the rows."""

from __future__ import annotations

from reviewtool.services.applications import ApplicationQuery, count_applications, fetch_applications
from reviewtool.services.demo import load_demo


def _search(session, text: str) -> tuple[int, list[str]]:
    query = ApplicationQuery(text=text)
    return count_applications(session, query), [r.number for r in fetch_applications(session, query, 0, 1000)]


def test_search_matches_the_same_on_both_engines(any_db):
    with any_db.session() as s:
        load_demo(s, actor="tester")
        everything = _search(s, "")
        number = everything[1][3]
        assert _search(s, number.lower()) == _search(s, number) == (1, [number])
        count, numbers = _search(s, "牦牛")
        assert count == len(numbers) > 0
        rows = fetch_applications(s, ApplicationQuery(text="牦牛"), 0, 1000)
        assert all("牦牛" in (r.title + r.unit + r.pi_name + r.number) for r in rows)
        assert _search(s, "海东")[0] > 0  # the unit's name
        assert everything[0] == len(everything[1])
