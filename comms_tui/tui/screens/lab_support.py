"""The sender-ID lab screen's plain parts: checking its inputs, how cells read, saving, exporting.

No widgets here: the screen calls these (the blocking ones from thread workers). Every outcome
carries a symbol and a word, so the matrix reads the same without colour.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets.selection_list import Selection

from comms_tui.api.errors import InvalidInput
from comms_tui.api.target import Attribution
from comms_tui.lab import DEFAULT_ATTRIBUTION, LabCell, LabMatrix, attribution_label
from comms_tui.tui.widgets.outcome import format_latency, format_status

if TYPE_CHECKING:
    from comms_tui.store.profiles import Profile, ProfileStore

PINNED = "····"  # stands in for latency and request ids in tests' snapshots
CELL_WIDTH = 32  # the matrix shows the start of the error; the detail line shows all of it

# Theme variables per outcome (resolved against the current theme when the table is drawn).
OUTCOME_COLOURS: dict[str, str] = {
    "accepted": "text-success",
    "rejected": "text-error",
    "not_sent": "text-error",
    "unknown": "text-warning",
    "invalid": "text-warning",
}
_DETAIL_STYLES: dict[str, str] = {k: f"b ${v}" for k, v in OUTCOME_COLOURS.items()}
_WORDS = {
    "accepted": "✓ accepted",
    "rejected": "✗ rejected by the server",
    "not_sent": "⊘ not sent: the request was refused",
    "unknown": "? unknown: it may have been sent",
    "invalid": "– invalid: failed the local sender-ID check, not sent",
}


def _clip(text: str, width: int = CELL_WIDTH) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def cell_text(cell: LabCell | None) -> str:
    """``✓ accepted`` · ``✗ 4250 sender ID X is no…`` · ``? unknown`` · ``– invalid: …``."""
    if cell is None:
        return "—"
    if cell.outcome == "accepted":
        return "✓ accepted" + (" ⚠" if cell.warnings else "")
    if cell.outcome == "unknown":
        return "? unknown"
    first = cell.errors[0] if cell.errors else cell.outcome.replace("_", " ")
    if cell.outcome == "invalid":
        return _clip(f"– invalid: {first}")
    if cell.outcome == "not_sent":
        return _clip(f"⊘ not sent: {first}")
    code, sep, message = first.partition(": ")
    return _clip(f"✗ {code} {message}" if sep and code.isdigit() else f"✗ {first}")


def cell_detail(cell: LabCell | None, *, pinned: bool, show: Callable[[str], str]) -> Content:
    """Everything about one cell: outcome, errors, warnings, HTTP, latency, request and history."""
    if cell is None:
        return Content.styled("Move over a cell to see its details.", "dim")
    dot = ("  ·  ", "dim")
    head = Content.assemble(
        (cell.sender, "b"), (" × ", "dim"), (cell.attribution, "b"), "  ",
        (_WORDS.get(cell.outcome, cell.outcome), _DETAIL_STYLES.get(cell.outcome, "b")),
    )  # fmt: skip
    lines = [head]
    lines += [Content.styled(f"✗ {e}", "$text-error") for e in cell.errors]
    lines += [Content.styled(f"⚠ {w}", "$text-warning") for w in cell.warnings]
    if cell.outcome != "invalid":
        request_id = PINNED if pinned and cell.request_id else (cell.request_id or "—")
        latency = PINNED if pinned else format_latency(cell.latency_ms)
        facts: list[Content | tuple[str, str] | str] = [
            ("HTTP ", "dim"), format_status(cell.http_status), dot, latency, dot,
            ("X-Cap-Requestid ", "dim"), request_id,
        ]  # fmt: skip
        if cell.history_id is not None:
            facts += [dot, f"history #{cell.history_id}"]
        if cell.recipients:
            facts += [dot, ("to ", "dim"), ", ".join(show(r) for r in cell.recipients)]
        lines.append(Content.assemble(*facts))
    return Content("\n").join(lines)


def ou_key(label: str) -> str:
    """The profile's ``sender_ids`` key for a matrix column ("" is the default OU)."""
    return "" if label == DEFAULT_ATTRIBUTION else label


def merge_working(profile: Profile, working: Mapping[str, Sequence[str]]) -> tuple[Profile, int]:
    """The profile with each OU's working IDs added after its saved ones; how many were new.

    Only adds: an ID that failed here may work for a till this run did not try.
    """
    merged = {ou: list(ids) for ou, ids in profile.sender_ids.items()}
    added = 0
    for ou, ids in working.items():
        saved = merged.setdefault(ou, [])
        known = {s.upper() for s in saved}
        for sender_id in ids:
            if sender_id.upper() not in known:
                saved.append(sender_id)
                known.add(sender_id.upper())
                added += 1
    merged = {ou: ids for ou, ids in merged.items() if ids}
    return profile.model_copy(update={"sender_ids": merged}), added


# -- inputs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabPlan:
    """One run's inputs, checked: what will be sent."""

    recipients: list[str]
    senders: list[str]
    attributions: list[Attribution | None]
    messages: int  # test SMS that will actually go out (invalid IDs are not sent)


def build_plan(
    *,
    recipients: str,
    senders: Iterable[str],
    extra_senders: str,
    attributions: Iterable[str],
    extra_attributions: str,
    default: Attribution | None,
    region: str | None,
) -> LabPlan:
    """The run the inputs ask for, or InvalidInput with ``errors`` keyed by input.

    The keys are ``to``, ``senders`` and ``attributions``. An attribution is ``default`` (stands
    for ``default``, the session's own) or ``TYPE:CODE``. Sender IDs are not refused here: the
    lab checks each one itself and shows the invalid ones in the matrix.
    """
    from comms_tui.api.phones import normalise_phone, split_recipients
    from comms_tui.api.sms import validate_sender_id

    errors: dict[str, str] = {}
    phones: list[str] = []
    for entry in split_recipients(recipients):
        try:
            phones.append(normalise_phone(entry, region).digits)
        except InvalidInput as exc:
            errors.setdefault("to", exc.message)
    if not phones and "to" not in errors:
        errors["to"] = "Add a test recipient"
    ids = list(dict.fromkeys([*senders, *split_recipients(extra_senders)]))
    if not ids:
        errors["senders"] = "Pick or type at least one sender ID"
    chosen: dict[str, Attribution | None] = {}
    for value in [*attributions, *split_recipients(extra_attributions)]:
        try:
            parsed = default if value == DEFAULT_ATTRIBUTION else Attribution.parse(value)
        except InvalidInput as exc:
            errors.setdefault("attributions", exc.message)
        else:
            chosen.setdefault(attribution_label(parsed), parsed)
    if not chosen and "attributions" not in errors:
        errors["attributions"] = "Pick or type at least one attribution"
    if errors:
        raise InvalidInput("; ".join(errors.values()), errors=errors)
    valid = 0
    for sender_id in ids:
        try:
            validate_sender_id(sender_id)
            valid += 1
        except InvalidInput:
            pass  # tested locally, shown as invalid, never sent
    return LabPlan(phones, ids, list(chosen.values()), valid * len(phones) * len(chosen))


def sender_choices(profile: Profile | None) -> list[Selection[str]]:
    """The profile's saved IDs, each once, with the OUs it is saved under; all ticked."""
    where: dict[str, list[str]] = {}
    for ou, ids in (profile.sender_ids if profile else {}).items():
        for sender_id in ids:
            where.setdefault(sender_id, []).append(ou or DEFAULT_ATTRIBUTION)
    return [
        Selection(Content.assemble(s, (f"  {', '.join(ous)}", "dim")), s, True, id=f"s-{i}")
        for i, (s, ous) in enumerate(where.items())
    ]


def attribution_choices(
    profile: Profile | None, default: Attribution | None
) -> list[Selection[str]]:
    """``default`` (the session's own attribution) and each OU the profile keeps IDs for."""
    shown = DEFAULT_ATTRIBUTION + (f" ({default})" if default is not None else "")
    choices = [Selection(shown, DEFAULT_ATTRIBUTION, True, id="a-default")]
    seen = {attribution_label(default)}
    for ou in sorted(profile.sender_ids if profile else {}):
        try:
            label = str(Attribution.parse(ou)) if ou else ""
        except InvalidInput:
            continue  # a hand-written OU key that is no attribution: nothing to test it as
        if label and label not in seen:
            seen.add(label)
            choices.append(Selection(label, label, True, id=f"a-{len(choices)}"))
    return choices


def confirm_text(plan: LabPlan, profile_name: str, *, production: bool) -> Content:
    where = "PRODUCTION profile " if production else "profile "
    return Content.assemble(
        "Send ", (f"{plan.messages} test SMS", "b"), f" with the {where}", (profile_name, "b"),
        f"?\n{len(plan.senders)} sender ID(s) × {len(plan.attributions)} attribution(s) × "
        f"{len(plan.recipients)} recipient(s); invalid IDs are not sent.",
    )  # fmt: skip


def summary(matrix: LabMatrix) -> Content:
    """``2 of 8 work · 2 accepted · 4 rejected · 2 invalid`` and the keys that come next."""
    counts: dict[str, int] = {}
    for cell in matrix.cells:
        counts[cell.outcome] = counts.get(cell.outcome, 0) + 1
    parts = [f"{n} {outcome.replace('_', ' ')}" for outcome, n in counts.items()]
    return Content.assemble(
        (f"{counts.get('accepted', 0)} of {len(matrix.cells)} work", "b"),
        f" · {' · '.join(parts)}", ("   s saves working IDs · e exports", "dim"),
    )  # fmt: skip


# -- save and export (blocking: call from a thread worker) ---------------------------------------


def save_working(
    store: ProfileStore, profile: Profile, working: Mapping[str, Sequence[str]]
) -> tuple[Profile, int, bool]:
    """Add the working IDs to the profile on disk: (profile, how many new, written to disk).

    A profile that is not in profiles.toml (sandbox, environment variables), or another one of
    the same name for another host, is only updated in memory.
    """
    on_disk = store.load().profiles.get(profile.name)
    if on_disk is None or on_disk.host != profile.host:
        updated, added = merge_working(profile, working)
        return updated, added, False
    updated, added = merge_working(on_disk, working)  # on top of the file's latest content
    if added:
        store.save(updated)
    return updated, added, True


def export_matrix(matrix: LabMatrix, directory: Path, stamp: str) -> tuple[Path, Path, str]:
    """Write ``sender-lab-<stamp>.csv`` and ``.json`` (owner-only); the paths and the JSON."""
    from comms_tui.store.files import write_private
    from comms_tui.tui.exports import unique_base

    text = json.dumps(matrix.to_json(), indent=2, ensure_ascii=False) + "\n"
    # Two exports within one second get -2, -3…: never overwrite the first.
    base = unique_base(directory, f"sender-lab-{stamp}", (".csv", ".json"))
    csv_path, json_path = directory / f"{base}.csv", directory / f"{base}.json"
    write_private(csv_path, matrix.to_csv().encode("utf-8"))
    write_private(json_path, text.encode("utf-8"))
    return csv_path, json_path, text
