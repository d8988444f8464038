"""The stories' refresher: a hub-managed service with no public route that re-runs stories on their schedules."""
