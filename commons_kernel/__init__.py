"""LCR Data Commons: the analyst's API."""
