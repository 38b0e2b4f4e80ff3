"""The technician phone API, under /api/mobile/v1, and dispatchers' access to what phones upload."""

from mobile_api import attachments, device, sync, visits

BLUEPRINTS = (visits.blp, sync.blp, device.blp, attachments.blp, attachments.office_blp)
