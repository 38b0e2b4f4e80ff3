"""Deterministic demo data for Shanghai: districts as regions, skills, a catalogue, technicians and orders."""

from seeds.demo import build_demo
from seeds.geometry import point_in_ring
from seeds.model import (
    AbsenceSeed,
    DemoCity,
    GazetteerEntry,
    OrderSeed,
    ProductSeed,
    RegionSeed,
    ShiftSeed,
    SkillSeed,
    TechnicianSeed,
    WorkSeed,
)
from seeds.regions import gazetteer

__all__ = [
    "AbsenceSeed",
    "DemoCity",
    "GazetteerEntry",
    "OrderSeed",
    "ProductSeed",
    "RegionSeed",
    "ShiftSeed",
    "SkillSeed",
    "TechnicianSeed",
    "WorkSeed",
    "build_demo",
    "gazetteer",
    "point_in_ring",
]
