"""Caches in front of the database: whole public pages and story cards (``pages``), and the
per-worker tier in front of Redis (``tiered``)."""
