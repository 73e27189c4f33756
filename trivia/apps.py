from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TriviaConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trivia"
    verbose_name = "Backlot"

    def ready(self):
        from .roles import ensure_moderators_group

        # After every migrate (and every test-database flush): permissions exist only by then.
        post_migrate.connect(ensure_moderators_group, dispatch_uid="trivia_moderators_group")
