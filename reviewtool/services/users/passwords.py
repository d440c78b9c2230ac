"""Local users' passwords (SQLite): scrypt hashes, compared in constant time.

On PostgreSQL the server keeps the password (SCRAM, ``storage/pg_roles.py``)
and nothing is stored here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from reviewtool.core.errors import UserError
from reviewtool.i18n import _

#: scrypt cost: n=2**15, r=8, p=1 (about 32 MiB and a few tens of milliseconds per check).
N, R, P = 2**15, 8, 1
MIN_LENGTH = 8


def check_password(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise UserError(_("A password needs at least {count} characters.").format(count=MIN_LENGTH))
    if password != password.strip() or "\n" in password:
        raise UserError(_("A password cannot start or end with a space or hold a line break."))


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=N, r=R, p=P, maxmem=128 * 1024 * 1024, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${N}${R}${P}${b64(salt).decode()}${b64(digest).decode()}"


def password_matches(password: str, stored: str | None) -> bool:
    try:
        scheme, n, r, p, salt, digest = (stored or "").split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=128 * 1024 * 1024,
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)
