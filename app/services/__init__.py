"""Use cases: each function takes what it needs and owns its transaction."""
