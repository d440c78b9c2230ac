"""One audit record told in words: the old and the new value of what changed.

The writers store their details in a few shapes (``{"old", "new"}``,
``{"from", "to"}``, ``{"changes": {field: {"old", "new"}}}``, ``{"changed":
{field: [old, new]}}``, ``{field: {"old", "new"}}``); the actions that carry
more than a value — a draw with its seed and exclusions, a redraw, a formal
review, an amount, finalise and reopen, an export — are told by their own
function. ``Names`` turns the expert and application ids a record holds into
names and numbers.

Plain functions over plain data; no database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reviewtool.services.audit_log.wording import (
    _,  # i18n._, remembered per language
    field_title,
    say,
)


@dataclass
class Names:
    """Ids → what a clerk knows them by (filled once per listing)."""

    experts: dict[int, str] = field(default_factory=dict)
    applications: dict[int, str] = field(default_factory=dict)  # id -> number
    panels: dict[int, str] = field(default_factory=dict)
    batches: dict[int, str] = field(default_factory=dict)
    stages: dict[int, str] = field(default_factory=dict)
    checklist: dict[str, str] = field(default_factory=dict)  # formal-review item code -> its text

    def expert(self, value: Any) -> str:
        try:
            return self.experts.get(int(value), str(value))
        except (TypeError, ValueError):
            return str(value)

    def experts_of(self, values) -> str:
        return "、".join(self.expert(v) for v in values or ()) or _("(none)")


def _fields(changes: Mapping[str, Any]) -> tuple[str, str]:
    """{field: {"old", "new"}} or {field: [old, new]} → two lines of ``field：value``."""
    old, new = [], []
    for key, pair in changes.items():
        if isinstance(pair, Mapping) and ("old" in pair or "new" in pair):
            before, after = pair.get("old"), pair.get("new")
        elif isinstance(pair, Mapping) and ("from" in pair or "to" in pair):
            before, after = pair.get("from"), pair.get("to")
        elif isinstance(pair, (list, tuple)) and len(pair) >= 2:
            before, after = pair[0], pair[1]
        else:
            continue
        title = field_title(str(key))
        old.append(f"{title}：{say(before, str(key))}")
        new.append(f"{title}：{say(after, str(key))}")
    return "；".join(old), "；".join(new)


def _exclusions(items, names: Names, limit: int = 12) -> str:
    parts = []
    for item in list(items or [])[:limit]:
        reasons = "、".join(item.get("reasons") or [])
        parts.append(f"{item.get('name') or names.expert(item.get('expert_id'))}（{reasons}）")
    more = len(items or []) - limit
    if more > 0:
        parts.append(_("and {count} more").format(count=more))
    return "；".join(parts) or _("(none)")


def _rule(rule: Mapping[str, Any] | None) -> str:
    if not rule:
        return ""
    parts = []
    if rule.get("rotation"):
        parts.append(_("rotation: fewest reviews in the last 12 months first"))
    if rule.get("cap"):
        parts.append(_("at most {cap} reviews in 12 months").format(cap=rule["cap"]))
    return "；".join(parts)


def _draw(details: Mapping[str, Any], names: Names) -> tuple[str, str]:
    drawn = names.experts_of(details.get("drawn"))
    text = _("Drew {size}: {names}. Seed {seed}. {eligible} eligible of {pool}; excluded: {excluded}").format(
        size=details.get("size", len(details.get("drawn") or [])),
        names=drawn,
        seed=details.get("seed", ""),
        eligible=len(details.get("eligible") or []),
        pool=len(details.get("candidates") or []),
        excluded=_exclusions(details.get("exclusions"), names),
    )
    rule = _rule(details.get("rule"))
    if rule:
        text += _(". Rule: {rule}").format(rule=rule)
    return "", text


def _redraw(details: Mapping[str, Any], names: Names) -> tuple[str, str]:
    old = _("{name} (declined: {reason})").format(
        name=names.expert(details.get("declined")), reason=details.get("reason") or ""
    )
    _o, new = _draw(details, names)
    moved = details.get("moved_assignments") or []
    if moved:
        new += _("; {count} assignments moved to the replacement").format(count=len(moved))
    return old, new


def _formal(details: Mapping[str, Any], names: Names) -> tuple[str, str]:
    old, new = [], []
    for code, values in (details.get("items") or {}).items():
        before, after, reason = (list(values) + [None, None, None])[:3]
        item = names.checklist.get(code, code)
        old.append(f"{item}：{_passed(before)}")
        text = f"{item}：{_passed(after)}"
        if reason:
            text += f"（{reason}）"
        new.append(text)
    overrides = details.get("overrides") or {}
    for code, item in overrides.items():
        new.append(
            _("{item}: the data said {suggested}; overridden: {reason}").format(
                item=names.checklist.get(code, code),
                suggested=_passed(item.get("suggested")),
                reason=item.get("reason") or "",
            )
        )
    status = details.get("status") or [None, None]
    if status[0] != status[1]:
        old.append(_("Status: {status}").format(status=say(status[0], "status")))
        new.append(_("Status: {status}").format(status=say(status[1], "status")))
    return "；".join(old), "；".join(new)


def _passed(value: Any) -> str:
    if value is None:
        return _("not checked")
    return _("passed") if value else _("failed")


def _amount(details: Mapping[str, Any], names: Names) -> tuple[str, str]:
    def money(value, reason) -> str:
        text = _("{amount} (10k yuan)").format(amount=value) if value is not None else _("the default amount")
        return f"{text}（{reason}）" if reason else text

    return money(details.get("old"), details.get("old_reason")), money(details.get("new"), details.get("reason"))


def _finalise(details: Mapping[str, Any], names: Names) -> tuple[str, str]:
    return _("open"), _("finalised; {count} sheets locked, {missing} not submitted").format(
        count=len(details.get("locked_sheets") or []), missing=details.get("unsubmitted", 0)
    )


def _reopen(details: Mapping[str, Any], names: Names) -> tuple[str, str]:
    old = _("finalised")
    if details.get("finalized_by"):
        old += _(" by {who}").format(who=details["finalized_by"])
    return old, _("open again: {reason}").format(reason=details.get("reason") or "")


def _export(details: Mapping[str, Any], names: Names) -> tuple[str, str]:
    files = details.get("files") or []
    text = _("{document}: {count} files ({files})").format(
        document=details.get("title") or details.get("what") or "",
        count=len(files),
        files="、".join(files[:5]) + ("…" if len(files) > 5 else ""),
    )
    if details.get("confidential"):
        text = _("Confidential — {text}").format(text=text)
    if details.get("anonymous"):
        text += _("; experts anonymised")
    return "", text


def _member(details: Mapping[str, Any], names: Names) -> tuple[str, str]:
    before = say(details.get("from"), "status") if details.get("from") else _("Awaiting confirmation")
    after = say(details.get("to"), "status")
    on = details.get("on")
    if on:
        after += _(" on {date}").format(date=on)
    if details.get("note"):
        after += f"（{details['note']}）"
    return f"{names.expert(details.get('expert_id'))}：{before}", f"{names.expert(details.get('expert_id'))}：{after}"


def _vote(details: Mapping[str, Any], names: Names) -> tuple[str, str]:
    who = names.expert(details.get("expert_id"))
    return (
        f"{who}：{say(details.get('from')) if details.get('from') else _('(no vote)')}",
        f"{who}：{say(details.get('to'))}",
    )


def _promote(details: Mapping[str, Any], names: Names) -> tuple[str, str]:
    new = _("{stage}: {numbers}; rule: {rule}").format(
        stage=say(details.get("to")), numbers=say(details.get("promoted") or []), rule=say(details.get("rule"))
    )
    return say(details.get("from")), new


SPECIAL: dict[str, Callable[[Mapping[str, Any], Names], tuple[str, str]]] = {
    "stage.promote": _promote,
    "panel.draw": _draw,
    "panel.redraw": _redraw,
    "formal.review": _formal,
    "funding.amount": _amount,
    "panel.finalize": _finalise,
    "panel.reopen": _reopen,
    "documents.export": _export,
    "list.export": _export,
    "audit.export": _export,
    "panel.member.confirm": _member,
    "panel.member.pending": _member,
    "panel.vote": _vote,
}


def old_and_new(action: str, details: Mapping[str, Any] | None, names: Names) -> tuple[str, str]:
    """The old and the new value of one record, in words ('' where there is none)."""
    details = details or {}
    special = SPECIAL.get(action)
    if special is not None:
        return special(details, names)
    if "old" in details or "new" in details:
        if isinstance(details.get("old"), Mapping) or isinstance(details.get("new"), Mapping):
            if details.get("old") is None or details.get("new") is None:  # created, or removed: one side only
                side = say(details.get("old") if details.get("new") is None else details.get("new"))
                return ("", side) if details.get("old") is None else (side, "")
            keys = list(dict.fromkeys([*(details.get("old") or {}), *(details.get("new") or {})]))
            return _fields({k: {"old": (details.get("old") or {}).get(k), "new": (details.get("new") or {}).get(k)}
                            for k in keys})  # fmt: skip
        return say(details.get("old")), say(details.get("new"))
    if "from" in details or "to" in details:
        return say(details.get("from"), "status"), say(details.get("to"), "status")
    for key in ("changes", "changed"):
        if isinstance(details.get(key), Mapping):
            return _fields(details[key])
    pairs = {k: v for k, v in details.items() if isinstance(v, Mapping) and ({"old", "new", "from", "to"} & set(v))}
    if pairs:
        old, new = _fields(pairs)
        if details.get("reason"):
            new += _("; reason: {reason}").format(reason=details["reason"])
        return old, new
    if "reason" in details:
        return "", say(details.get("reason"))
    return "", ""
