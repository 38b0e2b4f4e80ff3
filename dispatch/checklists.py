"""What a technician must check before a visit counts as done, per kind of work."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dispatch.intake import OrderKind


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One yes/no question the technician answers on the phone; `code` is what the answer is filed under."""

    code: str
    text: str


_I = ChecklistItem

CHECKLISTS: Mapping[OrderKind, tuple[ChecklistItem, ...]] = {
    OrderKind.INSTALL: (
        _I("goods_checked", "Goods checked against the order, no transport damage"),
        _I("site_protected", "Floor and walls protected before work"),
        _I("installed_per_manual", "Installed and fixed as the manufacturer's manual requires"),
        _I("tested_with_customer", "Tested and shown working to the customer"),
        _I("packaging_removed", "Packaging and debris taken away"),
    ),
    OrderKind.REPAIR: (
        _I("fault_reproduced", "Fault seen or reproduced"),
        _I("cause_recorded", "Cause written in the visit note"),
        _I("repaired_and_tested", "Repaired and tested through a full cycle"),
        _I("parts_recorded", "Parts used recorded"),
    ),
    OrderKind.EXCHANGE: (
        _I("old_item_matches", "Item taken back matches the order"),
        _I("new_item_checked", "New item checked, no transport damage"),
        _I("installed_and_tested", "New item installed and shown working"),
        _I("old_item_loaded", "Old item packed and loaded"),
    ),
    OrderKind.PICKUP: (
        _I("item_matches", "Item matches the order"),
        _I("condition_photographed", "Condition photographed before loading"),
        _I("item_loaded", "Item packed and loaded"),
    ),
}


def checklist_for(kind: OrderKind | str) -> tuple[ChecklistItem, ...]:
    """The questions for this kind of work."""
    return CHECKLISTS[OrderKind(kind)]


def unanswered(kind: OrderKind | str, answers: Mapping[str, bool] | None) -> dict[str, str]:
    """Problems with a set of answers by item code: each missing item, and each code not on the list."""
    items = {item.code for item in checklist_for(kind)}
    given = dict(answers or {})
    problems = {code: "not answered" for code in sorted(items - set(given))}
    problems.update({code: "not on this checklist" for code in sorted(set(given) - items)})
    return problems
