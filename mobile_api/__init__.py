"""The technician phone API, under /api/mobile/v1."""
