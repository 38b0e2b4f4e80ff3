"""Administration pages: technicians, regions and the catalogue, with messages next to the fields at fault."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, time
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from app.console import bp
from app.console.auth import admin_required
from app.extensions import db
from app.models import Product, Region, Technician
from app.services.admin_catalogue import (
    KINDS,
    ProductInput,
    WorkInput,
    all_products,
    all_skills,
    save_product,
    set_product_active,
)
from app.services.admin_network import (
    RegionInput,
    TechnicianInput,
    all_regions,
    save_region,
    save_technician,
    set_region_active,
    set_technician_active,
)
from app.services.errors import Invalid, NotFound
from app.services.network import list_technicians

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class _Form:
    """Reads typed values from a posted form, collecting a message per field instead of stopping."""

    def __init__(self, form: MultiDict[str, str]) -> None:
        self.form = form
        self.errors: dict[str, list[str]] = {}

    def text(self, name: str) -> str:
        return self.form.get(name, "").strip()

    def number(self, name: str, kind: Callable[[str], Any] = int, default: Any = 0) -> Any:
        raw = self.text(name)
        if not raw:
            return default
        try:
            return kind(raw)
        except ValueError:
            self.errors[name] = ["must be a number"]
            return default

    def clock(self, name: str, default: time | None = None) -> time | None:
        raw = self.text(name)
        if not raw:
            return default
        try:
            return time.fromisoformat(raw)
        except ValueError:
            self.errors[name] = ["must be a time (HH:MM)"]
            return default

    def day(self, name: str) -> date | None:
        try:
            return date.fromisoformat(self.text(name))
        except ValueError:
            self.errors[name] = ["must be a date (YYYY-MM-DD)"]
            return None

    def levels(self, name: str) -> tuple[tuple[str, int], ...]:
        """'aircon_install:2, plumbing:1' as ((code, level), ...)."""
        found = []
        for part in filter(None, (p.strip() for p in self.text(name).split(","))):
            code, _, level = part.partition(":")
            if not level.strip().isdigit():
                self.errors[name] = [f"write each skill as code:level, not {part!r}"]
                continue
            found.append((code.strip(), int(level)))
        return tuple(found)


def _technician_input(form: _Form) -> TechnicianInput:
    skills = tuple(
        (key[len("skill_") :], int(value))
        for key, value in form.form.items()
        if key.startswith("skill_") and value.strip() not in ("", "0") and value.strip().isdigit()
    )
    shifts = []
    for weekday in range(7):
        start, end = form.clock(f"shift_{weekday}_start"), form.clock(f"shift_{weekday}_end")
        if start is not None and end is not None:
            shifts.append((weekday, start, end))
        elif start is not None or end is not None:
            form.errors[f"shift_{weekday}"] = ["give both the start and the end, or neither"]
    absences = []
    for index, first in enumerate(form.form.getlist("absence_start")):
        last = form.form.getlist("absence_end")[index]
        reason = form.form.getlist("absence_reason")[index]
        if not first.strip() and not last.strip():
            continue
        try:
            absences.append((date.fromisoformat(first), date.fromisoformat(last), reason.strip()))
        except ValueError:
            form.errors[f"absence_{len(absences)}"] = ["both days are needed, as YYYY-MM-DD"]
    return TechnicianInput(
        code=form.text("code"),
        name=form.text("name"),
        phone=form.text("phone"),
        home_lat=form.number("home_lat", float, 0.0),
        home_lon=form.number("home_lon", float, 0.0),
        primary_region=form.text("primary_region"),
        help_regions=tuple(form.form.getlist("help_regions")),
        skills=skills,
        shifts=tuple(shifts),
        absences=tuple(absences),
        crew_size=form.number("crew_size", int, 1),
        van_volume_l=form.number("van_volume_l", int, 4000),
        lunch_start=form.clock("lunch_start", time(11, 30)) or time(11, 30),
        lunch_end=form.clock("lunch_end", time(13, 30)) or time(13, 30),
        lunch_minutes=form.number("lunch_minutes", int, 45),
    )


def _region_input(form: _Form) -> RegionInput:
    polygon: tuple[tuple[float, float], ...] = ()
    if form.text("polygon"):
        try:
            polygon = tuple((float(lon), float(lat)) for lon, lat in json.loads(form.text("polygon")))
        except (ValueError, TypeError):
            form.errors["polygon"] = ["a JSON list of [lon, lat] pairs"]
    return RegionInput(
        code=form.text("code"),
        name=form.text("name"),
        name_local=form.text("name_local") or None,
        time_zone=form.text("time_zone"),
        parent=form.text("parent") or None,
        polygon=polygon,
        postal_codes=tuple(p for p in (c.strip() for c in form.text("postal_codes").split(",")) if p),
        speed_kmh=form.number("speed_kmh", float, 25.0),
        detour_factor=form.number("detour_factor", float, 1.35),
    )


def _product_input(form: _Form) -> ProductInput:
    work = tuple(
        WorkInput(
            kind=kind,
            duration_min=form.number(f"work_{kind}_minutes", int, 0),
            crew_size=form.number(f"work_{kind}_crew", int, 1),
            skills=form.levels(f"work_{kind}_skills"),
        )
        for kind in KINDS
        if form.text(f"work_{kind}_minutes")
    )
    return ProductInput(
        sku=form.text("sku"),
        name=form.text("name"),
        category=form.text("category"),
        volume_l=form.number("volume_l", int, 0),
        work=work,
    )


def _edit(kind: str, model: type, ident: int | None, parse: Callable, save: Callable, **context: Any) -> Any:
    """One edit page: show the form, or parse and save it, re-showing it with messages when refused."""
    thing = db.session.get(model, ident) if ident else None
    if ident and thing is None:
        raise NotFound(f"{kind} {ident} not found")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = _Form(request.form)
        data = parse(form)
        errors = dict(form.errors)
        if not errors:
            try:
                saved = save(data)
            except Invalid as exc:
                errors = exc.errors
            else:
                flash(f"Saved {kind} {getattr(saved, 'code', None) or getattr(saved, 'sku', '')}.", "success")
                return redirect(url_for(f"console.admin_{kind}s"))
    page = render_template(
        f"console/admin/{kind}_form.html",
        thing=thing,
        errors=errors,
        form=request.form if request.method == "POST" else None,
        **context,
    )
    return page, 422 if errors else 200


@bp.get("/admin/")
@bp.get("/admin/technicians")
@admin_required
def admin_technicians() -> str:
    """Every technician, active or not."""
    return render_template(
        "console/admin/technicians.html", technicians=list_technicians(scope=None, include_inactive=True)
    )


@bp.route("/admin/technicians/new", methods=["GET", "POST"], endpoint="admin_technician_new")
@bp.route("/admin/technicians/<int:ident>", methods=["GET", "POST"])
@admin_required
def admin_technician(ident: int | None = None) -> Any:
    """Create or edit a technician: skills and levels, regions, weekly shifts, absences."""
    return _edit(
        "technician",
        Technician,
        ident,
        _technician_input,
        lambda data: save_technician(technician_id=ident, data=data),
        regions=all_regions(),
        skills=all_skills(),
        weekdays=WEEKDAYS,
    )


@bp.get("/admin/regions")
@admin_required
def admin_regions() -> str:
    """Every region, active or not."""
    return render_template("console/admin/regions.html", regions=all_regions())


@bp.route("/admin/regions/new", methods=["GET", "POST"], endpoint="admin_region_new")
@bp.route("/admin/regions/<int:ident>", methods=["GET", "POST"])
@admin_required
def admin_region(ident: int | None = None) -> Any:
    """Create or edit a region: time zone, outline, postal codes, travel speed."""
    return _edit(
        "region",
        Region,
        ident,
        _region_input,
        lambda data: save_region(region_id=ident, data=data),
        regions=all_regions(),
    )


@bp.get("/admin/products")
@admin_required
def admin_products() -> str:
    """The catalogue, withdrawn products included."""
    return render_template("console/admin/products.html", products=all_products(), kinds=KINDS)


@bp.route("/admin/products/new", methods=["GET", "POST"], endpoint="admin_product_new")
@bp.route("/admin/products/<int:ident>", methods=["GET", "POST"])
@admin_required
def admin_product(ident: int | None = None) -> Any:
    """Create or edit a product and the work each kind of order for it takes."""
    return _edit(
        "product",
        Product,
        ident,
        _product_input,
        lambda data: save_product(product_id=ident, data=data),
        kinds=KINDS,
    )


_SWITCHES = {
    "technician": set_technician_active,
    "region": set_region_active,
    "product": set_product_active,
}


@bp.post("/admin/<any(technician, region, product):kind>s/<int:ident>/<any(activate, deactivate):verb>")
@admin_required
def admin_switch(kind: str, ident: int, verb: str) -> Any:
    """Deactivate (kept for history) or reactivate a technician, region or product."""
    thing = _SWITCHES[kind](**{f"{kind}_id": ident, "active": verb == "activate"})
    label = getattr(thing, "code", None) or getattr(thing, "sku", "")
    flash(f"{kind.title()} {label} {verb}d.", "success")
    return redirect(url_for(f"console.admin_{kind}s"))
