"""The JSON API for dispatchers and integrations, under /api/v1."""

from app.api.auth import blp as auth_blp
from app.api.complaints import blp as complaints_blp
from app.api.network import blp as network_blp
from app.api.orders import blp as orders_blp
from app.api.plans import blp as plans_blp
from app.api.sla import blp as sla_blp

BLUEPRINTS = (auth_blp, orders_blp, complaints_blp, network_blp, plans_blp, sla_blp)
