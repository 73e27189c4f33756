from django.apps import AppConfig


class LoadToolsConfig(AppConfig):
    """No models, no URLs: management commands only."""

    name = "tests.loadtools"
    label = "loadtools"
    verbose_name = "Load and fault tooling (development only)"
