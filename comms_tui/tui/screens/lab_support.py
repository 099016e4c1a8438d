"""The sender-ID lab screen's plain parts: the confirmation, the summary, saving and exporting.

No widgets here: the screen calls these (the blocking ones from thread workers).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from textual.content import Content

from comms_tui.lab import DEFAULT_ATTRIBUTION, LabMatrix

if TYPE_CHECKING:
    from comms_tui.store.profiles import Profile, ProfileStore
    from comms_tui.tui.widgets.lab_inputs import LabPlan


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
