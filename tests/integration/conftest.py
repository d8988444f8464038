"""Integration tier: the ``hub`` fixture is in tests/conftest.py (shared with the browser and notebook tiers)."""
