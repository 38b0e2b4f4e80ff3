"""The business core: rules about orders, technicians, visits and plans, free of any framework."""

from dispatch.build import OrderRecord, TechnicianRecord, build_day_problem, day_locations
from dispatch.calendars import ALWAYS, END_OF_DAY, BusinessCalendar, Hours, NoWorkingTime, around_the_clock
from dispatch.clocks import Pause, clocks, pauses
from dispatch.day import DayProblem, Job, PlanSettings, Reason, TechnicianDay
from dispatch.eligibility import candidates, explain_ineligible
from dispatch.intake import LocationQuality, OrderKind, Priority, Work, WorkNeeds, combine_work, sla_due
from dispatch.lifecycle import (
    OrderAction,
    OrderStatus,
    ReasonRequired,
    Transition,
    TransitionError,
    allowed_actions,
    transition,
)
from dispatch.moves import MoveCheck, check_assignment
from dispatch.planner import DayPlan, PlannedVisit, TechnicianPlan, Unassigned, plan_day
from dispatch.service_levels import (
    ClockEvent,
    ClockState,
    ClockStatus,
    EventKind,
    NoPolicy,
    PauseReason,
    Policy,
    Target,
    TargetName,
    choose_policy,
)
from dispatch.slots import SlotOffer, day_state, offer_slots
from dispatch.verify import plan_violations
from dispatch.visits import VisitEventType, VisitStatus, VisitTransitionError, visit_step

__all__ = [
    "ALWAYS",
    "END_OF_DAY",
    "BusinessCalendar",
    "ClockEvent",
    "ClockState",
    "ClockStatus",
    "DayPlan",
    "DayProblem",
    "EventKind",
    "Hours",
    "Job",
    "LocationQuality",
    "MoveCheck",
    "NoPolicy",
    "NoWorkingTime",
    "OrderAction",
    "OrderKind",
    "OrderRecord",
    "OrderStatus",
    "Pause",
    "PauseReason",
    "PlanSettings",
    "PlannedVisit",
    "Policy",
    "Priority",
    "Reason",
    "ReasonRequired",
    "SlotOffer",
    "Target",
    "TargetName",
    "TechnicianDay",
    "TechnicianPlan",
    "TechnicianRecord",
    "Transition",
    "TransitionError",
    "Unassigned",
    "VisitEventType",
    "VisitStatus",
    "VisitTransitionError",
    "Work",
    "WorkNeeds",
    "allowed_actions",
    "around_the_clock",
    "build_day_problem",
    "candidates",
    "check_assignment",
    "choose_policy",
    "clocks",
    "combine_work",
    "day_locations",
    "day_state",
    "explain_ineligible",
    "offer_slots",
    "pauses",
    "plan_day",
    "plan_violations",
    "sla_due",
    "transition",
    "visit_step",
]
