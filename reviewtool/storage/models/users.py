"""App users and their roles (系统管理员, 业务人员, 专家组长, 评审专家, 纪检/审计).

On PostgreSQL each user is also a login role of the same name, a member of
one group role per app role (``storage/pg_security.py``); the password is
PostgreSQL's own and ``password_hash`` stays empty. On SQLite a user is a
local login whose scrypt hash is kept here (``services/users/passwords.py``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from reviewtool.core.users import Role
from reviewtool.storage.models.base import Base, enum_column, utcnow


class AppUser(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(40), unique=True)  # = the PostgreSQL login role
    name: Mapped[str] = mapped_column(String(64), default="")  # 姓名, as shown
    # A 评审专家 / 专家组长 is linked to their record in the expert pool.
    expert_id: Mapped[int | None] = mapped_column(ForeignKey("expert.id"), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(200))  # SQLite local users only
    active: Mapped[bool] = mapped_column(default=True)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="UserRole.role"
    )

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(r.role for r in self.roles)


class UserRole(Base):
    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "app_role"), primary_key=True)

    user: Mapped[AppUser] = relationship(back_populates="roles")
