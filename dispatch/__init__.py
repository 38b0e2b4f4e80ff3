"""The business core: rules about orders, technicians and plans, free of any framework."""

from dispatch.intake import OrderKind, Priority, Work, WorkNeeds, combine_work, sla_due
from dispatch.lifecycle import (
    OrderAction,
    OrderStatus,
    ReasonRequired,
    Transition,
    TransitionError,
    allowed_actions,
    transition,
)

__all__ = [
    "OrderAction",
    "OrderKind",
    "OrderStatus",
    "Priority",
    "ReasonRequired",
    "Transition",
    "TransitionError",
    "Work",
    "WorkNeeds",
    "allowed_actions",
    "combine_work",
    "sla_due",
    "transition",
]
