"""What of a server URL is shown or remembered: never the password."""

from __future__ import annotations

from reviewtool.services.users import login


def test_the_password_never_stays_in_a_shown_url():
    url = "postgresql+psycopg://zhangsan:s3cret%21@dbserver:5432/reviewtool?sslmode=require"
    shown = login.url_without_password(url)
    assert shown == "postgresql+psycopg://zhangsan@dbserver:5432/reviewtool?sslmode=require"
    assert login.url_without_password(shown) == shown
    assert login.needs_password(shown) and not login.needs_password(url)
    assert not login.needs_password("sqlite:////tmp/a.sqlite3")
    again = login.with_credentials(shown, "lisi", "p@ss:word")
    assert login.url_login(again) == "lisi" and not login.needs_password(again)
    assert login.url_without_password(again) == shown.replace("zhangsan", "lisi")
