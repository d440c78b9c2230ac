"""The demonstration data set (resources/demo/demo.yaml).

Loaded only into an empty database, so it can never mix with real data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from reviewtool.core.enums import ApplicationStatus, AreaRole, TagSource, UnitType
from reviewtool.core.errors import Refused
from reviewtool.i18n import _
from reviewtool.paths import resource_path
from reviewtool.services import audit
from reviewtool.services.progress import NEVER_CANCELLED, NO_PROGRESS, CancelToken, Progress
from reviewtool.services.taxonomy import area_ids_by_code
from reviewtool.storage.models import Application, ApplicationArea, AvoidRequest, Batch, Expert, ExpertField, Unit


@dataclass(frozen=True)
class DemoResult:
    batch: str
    units: int
    experts: int
    applications: int

    def as_json(self) -> dict:
        return {"batch": self.batch, "units": self.units, "experts": self.experts, "applications": self.applications}


def demo_file() -> Path:
    return resource_path("demo", "demo.yaml")


def database_has_data(session: Session) -> bool:
    return any(session.scalar(select(exists().where(model.id.isnot(None)))) for model in (Batch, Application, Expert))


def _month(text: str | None) -> dt.date | None:
    if not text:
        return None
    year, month = str(text).split("-")[:2]
    return dt.date(int(year), int(month), 1)


def _money(text) -> Decimal | None:
    return None if text in (None, "") else Decimal(str(text))


def load_demo(
    session: Session,
    *,
    actor: str,
    path: Path | None = None,
    progress: Progress = NO_PROGRESS,
    cancel: CancelToken = NEVER_CANCELLED,
) -> DemoResult:
    """Load the demonstration batch, units, experts and applications.

    Raises ``Refused`` when the database already holds data.
    """
    if database_has_data(session):
        raise Refused(
            _("The database already holds data; the demonstration data is only loaded into an empty database.")
        )
    data = yaml.safe_load((path or demo_file()).read_text(encoding="utf-8"))
    area_ids = area_ids_by_code(session)

    spec = data["batch"]
    batch = Batch(
        name=spec["name"],
        year=spec.get("year"),
        category=spec.get("category"),
        description=spec.get("description", ""),
        deadline=dt.date.fromisoformat(str(spec["deadline"])) if spec.get("deadline") else None,
        budget=_money(spec.get("budget")),
        per_project_cap=_money(spec.get("per_project_cap")),
    )
    session.add(batch)

    units: dict[str, Unit] = {}
    for item in data["units"]:
        unit = Unit(
            name=item["name"],
            unit_type=UnitType(item.get("type") or "other"),
            county=item.get("county"),
            credit_code=item.get("credit_code"),
        )
        session.add(unit)
        units[unit.name] = unit
    session.flush()

    experts: dict[str, Expert] = {}
    for item in data["experts"]:
        expert = Expert(
            name=item["name"],
            unit=units.get(item.get("unit")),
            title=item.get("title"),
            speciality=item.get("speciality"),
            keywords=item.get("keywords") or "",
            phone=item.get("phone"),
            email=item.get("email"),
            is_staff=bool(item.get("is_staff")),
        )
        expert.fields = [ExpertField(area_id=area_ids[code]) for code in item.get("areas") or []]
        session.add(expert)
        experts[expert.name] = expert
    session.flush()

    items = data["applications"]
    for index, item in enumerate(items, start=1):
        cancel.check()
        pi = item.get("pi") or {}
        contact = item.get("contact") or {}
        application = Application(
            batch=batch,
            number=item["number"],
            title=item["title"],
            category=item.get("category"),
            guide_direction=item.get("guide_direction"),
            innovation_type=item.get("innovation_type"),
            activity_type=item.get("activity_type"),
            unit=units[item["unit"]],
            partner_units=item.get("partners"),
            pi_name=pi.get("name", ""),
            pi_title=pi.get("title"),
            pi_phone=pi.get("phone"),
            pi_email=pi.get("email"),
            contact_name=contact.get("name"),
            contact_phone=contact.get("phone"),
            team_size=item.get("team_size"),
            start_date=_month(item.get("start")),
            end_date=_month(item.get("end")),
            total_budget=_money(item.get("total_budget")),
            requested_amount=_money(item.get("requested")) or Decimal(0),
            self_funding=_money(item.get("self_funding")),
            budget_lines={k: str(v) for k, v in (item.get("budget_lines") or {}).items()},
            outputs=dict(item.get("outputs") or {}),
            abstract=item.get("abstract", ""),
        )
        tags = [
            ApplicationArea(area_id=area_ids[item["primary_area"]], role=AreaRole.PRIMARY, source=TagSource.CONFIRMED)
        ]
        tags += [
            ApplicationArea(area_id=area_ids[code], role=AreaRole.SECONDARY, source=TagSource.CONFIRMED)
            for code in item.get("secondary_areas") or []
        ]
        application.areas = tags
        session.add(application)
        session.flush()
        for name in item.get("avoid_experts") or []:
            expert = experts.get(name)
            session.add(
                AvoidRequest(
                    application_id=application.id,
                    expert_id=expert.id if expert else None,
                    expert_name=name,
                    expert_unit=expert.unit.name if expert and expert.unit else None,
                )
            )
        progress.update(index, len(items), application.title)

    audit.record(
        session,
        actor=actor,
        action="demo.load",
        entity_type="batch",
        entity_id=batch.id,
        batch_id=batch.id,
        summary=_("Loaded the demonstration data"),
        details={"applications": len(items), "experts": len(experts), "units": len(units)},
    )
    _demo_scoring(session, batch.id, actor=actor)
    return DemoResult(batch.name, len(units), len(experts), len(items))


def _demo_scoring(session: Session, batch_id: int, *, actor: str) -> None:
    """Shipped rubrics on the demo batch (ecological one for HD-D1 / QH-E) and demo score sheets."""
    from reviewtool.services.scoring import demo_sheets, rubric_batches, rubrics

    rubrics.install_shipped_rubrics(session, actor=actor)
    rubric_batches.attach_rubric(session, batch_id, "haidong-general", actor=actor)
    rubric_batches.attach_rubric(
        session, batch_id, "haidong-ecology", actor=actor, area_codes=["HD-D1", "QH-E1", "QH-E2"]
    )
    demo_sheets.create_demo_sheets(session, batch_id, actor=actor)
    _demo_panel(session, batch_id, actor=actor)


def _demo_panel(session: Session, batch_id: int, *, actor: str) -> None:
    """A remote-review panel whose members and assignments are the demo sheets' reviewers,
    so the panel screens show a review in progress."""
    from reviewtool.services.panels import assignment, membership, panel
    from reviewtool.storage.models import ScoreSheet

    pairs = session.execute(
        select(ScoreSheet.application_id, ScoreSheet.reviewer_id)
        .join(Application, ScoreSheet.application_id == Application.id)
        .where(Application.batch_id == batch_id)
        .order_by(ScoreSheet.application_id, ScoreSheet.reviewer_id)
    ).all()
    if not pairs:
        return
    panel_id, _changes = panel.create_panel(session, batch_id, _("Panel 1"), actor=actor)
    for expert_id in sorted({expert_id for _application, expert_id in pairs}):
        membership.add_member(session, panel_id, expert_id, _("Demonstration data"), actor=actor)
    for application_id, expert_id in pairs:
        assignment.add_assignment(session, panel_id, application_id, expert_id, actor=actor)
    # Where the demo review stands: scored where sheets came in, in review elsewhere.
    scored = {application_id for application_id, _expert in pairs}
    for application in session.scalars(select(Application).where(Application.batch_id == batch_id)):
        application.status = ApplicationStatus.SCORED if application.id in scored else ApplicationStatus.IN_REVIEW
