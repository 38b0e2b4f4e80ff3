"""Test data for planning: the standard network, a second technician, work nobody can do, and orders."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, timedelta

from app.extensions import db
from app.models import Order, Region, Technician
from app.services.events import SYSTEM
from app.services.orders import OrderIntake, SiteInput, create_order
from app.services.regions import local_today
from app.services.seeding import demo_geocoder
from tests.factories import Network, make_network, make_product, make_skill, make_technician


@dataclass
class PlanningNetwork:
    network: Network
    day: date
    helper: Technician  # furniture only: may take sofas, not air conditioners
    sofa: Order
    aircon: Order
    boiler: Order  # needs plumbing, which nobody has
    east_sofa: Order  # in PD, where nobody works


def plan_day_for(region: Region) -> date:
    """A working day (Monday to Saturday) after today in the region."""
    day = local_today(region) + timedelta(days=2)
    return day + timedelta(days=1) if day.weekday() == 6 else day


def add_order(ref: str, sku: str, lat: float, lon: float, day: date, *, kind: str = "install") -> Order:
    """Take an order in through the intake service, for goods arriving on the day."""
    intake = OrderIntake(
        channel="test",
        external_ref=ref,
        kind=kind,
        customer_name=f"Customer {ref}",
        customer_phone=f"+86138{zlib.crc32(ref.encode()) % 10**8:08d}",
        customer_email=None,
        site=SiteInput(address=f"{ref} Test Road", lat=lat, lon=lon),
        items=((sku, 1),),
        earliest_start=day,
    )
    order, _ = create_order(intake=intake, actor=SYSTEM, geocoder=demo_geocoder(), scope=None)
    return order


def make_planning_network() -> PlanningNetwork:
    """Two XH technicians, one with aircon skills; orders for T001, for either, for nobody, for nowhere."""
    network = make_network()
    plumbing = make_skill("plumbing")
    make_product("BOILER", {"install": (90, 1, [(plumbing, 1)])}, volume_l=200)
    helper = make_technician("T002", network.west, [(network.furniture, 2)])
    db.session.commit()
    day = plan_day_for(network.west)
    return PlanningNetwork(
        network=network,
        day=day,
        helper=helper,
        sofa=add_order("SOFA", "SOFA-3", 31.19, 121.45, day),
        aircon=add_order("AIRCON", "AC-SPLIT", 31.20, 121.43, day),
        boiler=add_order("BOILER", "BOILER", 31.17, 121.46, day),
        east_sofa=add_order("EAST", "SOFA-3", 31.20, 121.55, day),
    )
