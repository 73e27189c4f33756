"""Shared by the hostile-input suite, the moderation state machine and the permission matrix:
the catalogue of hostile inputs, a small site with one object of every kind, and the figures
every run prints (tests/conftest.py)."""
