"""Reading the application list: filtering, sorting and paging done in SQL,
so the GUI's lazy table stays quick with 100,000 rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from reviewtool.core.enums import ApplicationStatus, AreaRole, TagSource
from reviewtool.storage.models import Application, ApplicationArea, Batch, PriorityArea, Unit


@dataclass(frozen=True)
class ApplicationRow:
    """One line of the application list."""

    id: int
    number: str
    title: str
    unit: str
    county: str | None
    pi_name: str
    category: str | None
    requested_amount: Decimal
    status: ApplicationStatus
    area_code: str | None
    area_title: str | None
    batch: str
    panel_score: Decimal | None


#: Sort keys the list offers, mapped to SQL expressions in ``_sort_column``.
SORT_KEYS = (
    "number",
    "title",
    "unit",
    "county",
    "pi_name",
    "category",
    "requested_amount",
    "status",
    "area_code",
    "batch",
    "panel_score",
)


@dataclass
class ApplicationQuery:
    """Filters and ordering for the application list (all optional)."""

    text: str = ""
    batch_id: int | None = None
    statuses: tuple[ApplicationStatus, ...] = ()
    county: str | None = None
    category: str | None = None
    area_code: str | None = None  # matches the confirmed primary or secondary areas, and their children
    sort_key: str = "number"
    descending: bool = False
    extra: dict = field(default_factory=dict)


_primary = aliased(ApplicationArea, name="primary_tag")
_primary_area = aliased(PriorityArea, name="primary_area")


def _base(query: ApplicationQuery) -> Select:
    stmt = (
        select(Application.id)
        .join(Unit, Application.unit_id == Unit.id)
        .join(Batch, Application.batch_id == Batch.id)
        .outerjoin(
            _primary,
            and_(
                _primary.application_id == Application.id,
                _primary.role == AreaRole.PRIMARY,
                _primary.source == TagSource.CONFIRMED,
            ),
        )
        .outerjoin(_primary_area, _primary.area_id == _primary_area.id)
    )
    text = query.text.strip()
    if text:
        pattern = f"%{text}%"
        stmt = stmt.where(
            or_(
                Application.title.ilike(pattern),
                Application.number.ilike(pattern),
                Application.pi_name.ilike(pattern),
                Unit.name.ilike(pattern),
            )
        )
    if query.batch_id is not None:
        stmt = stmt.where(Application.batch_id == query.batch_id)
    if query.statuses:
        stmt = stmt.where(Application.status.in_(query.statuses))
    if query.county:
        stmt = stmt.where(Unit.county == query.county)
    if query.category:
        stmt = stmt.where(Application.category == query.category)
    if query.area_code:
        tag_area = aliased(PriorityArea)
        tagged = (
            select(ApplicationArea.application_id)
            .join(tag_area, ApplicationArea.area_id == tag_area.id)
            .outerjoin(PriorityArea, tag_area.parent_id == PriorityArea.id)
            .where(
                ApplicationArea.source == TagSource.CONFIRMED,
                or_(tag_area.code == query.area_code, PriorityArea.code == query.area_code),
            )
        )
        stmt = stmt.where(Application.id.in_(tagged))
    return stmt


def _sort_column(key: str):
    columns = {
        "number": Application.number,
        "title": Application.title,
        "unit": Unit.name,
        "county": Unit.county,
        "pi_name": Application.pi_name,
        "category": Application.category,
        "requested_amount": Application.requested_amount,
        "status": Application.status,
        "area_code": _primary_area.code,
        "batch": Batch.name,
        "panel_score": Application.panel_score,
    }
    if key not in columns:
        raise ValueError(f"unknown sort key {key!r}")
    return columns[key]


def count_applications(session: Session, query: ApplicationQuery) -> int:
    return session.scalar(select(func.count()).select_from(_base(query).subquery())) or 0


def fetch_applications(
    session: Session, query: ApplicationQuery, offset: int = 0, limit: int = 200
) -> list[ApplicationRow]:
    column = _sort_column(query.sort_key)
    order = column.desc() if query.descending else column.asc()
    stmt = (
        _base(query)
        .add_columns(
            Application.number,
            Application.title,
            Unit.name,
            Unit.county,
            Application.pi_name,
            Application.category,
            Application.requested_amount,
            Application.status,
            _primary_area.code,
            _primary_area.title,
            Batch.name,
            Application.panel_score,
        )
        .order_by(order.nulls_last(), Application.id)
        .offset(offset)
        .limit(limit)
    )
    return [ApplicationRow(*row) for row in session.execute(stmt)]


def list_batches(session: Session) -> list[Batch]:
    return list(session.scalars(select(Batch).order_by(Batch.created_at.desc(), Batch.id.desc())))


def find_batch(session: Session, name: str) -> Batch | None:
    return session.scalar(select(Batch).where(Batch.name == name))


def distinct_values(session: Session, column) -> list[str]:
    """Non-empty distinct values of a column, for filter drop-downs."""
    return [v for v in session.scalars(select(column).distinct().order_by(column)) if v]
