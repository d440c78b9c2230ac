"""What an operation changed, so the GUI can refresh only what it must
(after Anki's ``OpChanges``)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass
class Changes:
    applications: bool = False
    areas: bool = False
    batches: bool = False
    experts: bool = False
    rubrics: bool = False
    sheets: bool = False
    panels: bool = False
    settings: bool = False
    users: bool = False
    message: str = ""
    details: dict = field(default_factory=dict)

    def any(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self) if f.type == "bool")

    @classmethod
    def everything(cls, message: str = "") -> Changes:
        return cls(True, True, True, True, True, True, True, True, True, message)
