"""All mapped classes; importing this module registers them on ``Base.metadata``."""

from reviewtool.storage.models.applications import (
    Application,
    ApplicationArea,
    Attachment,
    AttachmentContent,
    AvoidRequest,
    FormalCheckResult,
)
from reviewtool.storage.models.audit import AuditEvent, Setting
from reviewtool.storage.models.base import Base
from reviewtool.storage.models.batches import Batch, BatchQuota, FormalCheckItem
from reviewtool.storage.models.declarations import ReviewDeclaration
from reviewtool.storage.models.documents import DocumentTemplate
from reviewtool.storage.models.experts import Expert, ExpertField, ExpertRelation
from reviewtool.storage.models.intake import MappingProfile
from reviewtool.storage.models.organisations import Unit
from reviewtool.storage.models.panels import Assignment, MeetingVote, Panel, PanelApplication, PanelDraw, PanelMember
from reviewtool.storage.models.plan import PlanEdition, PriorityArea
from reviewtool.storage.models.publicity import Objection, Publicity
from reviewtool.storage.models.rubrics import (
    BatchRubric,
    Rubric,
    RubricBand,
    RubricCriterion,
    RubricVersion,
    RubricVetoItem,
)
from reviewtool.storage.models.scoring import CriterionScore, PanelResult, ScoreSheet, VetoAnswer
from reviewtool.storage.models.stages import Stage, StageApplication
from reviewtool.storage.models.users import AppUser, UserRole

__all__ = [
    "AppUser",
    "Application",
    "ApplicationArea",
    "Assignment",
    "Attachment",
    "AttachmentContent",
    "AuditEvent",
    "AvoidRequest",
    "Base",
    "Batch",
    "BatchQuota",
    "BatchRubric",
    "CriterionScore",
    "DocumentTemplate",
    "Expert",
    "ExpertField",
    "ExpertRelation",
    "FormalCheckItem",
    "FormalCheckResult",
    "MappingProfile",
    "MeetingVote",
    "Objection",
    "Panel",
    "PanelApplication",
    "PanelDraw",
    "PanelMember",
    "PanelResult",
    "PlanEdition",
    "PriorityArea",
    "Publicity",
    "ReviewDeclaration",
    "Rubric",
    "RubricBand",
    "RubricCriterion",
    "RubricVersion",
    "RubricVetoItem",
    "ScoreSheet",
    "Setting",
    "Stage",
    "StageApplication",
    "Unit",
    "UserRole",
    "VetoAnswer",
]
