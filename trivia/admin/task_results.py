"""The task queue's results (``trivia.tasks``), read-only: what the worker did, what it will
retry, and above all what it failed to do.

django-tasks-db registers a plain list of its results; this one says what each task was about
(which decision's email, which image) and why it failed, for superusers and for moderators
(who may view it: ``trivia.roles``), who are the ones to tell a contributor an email never
went out. "Status: Failed" lists what needs a person.
"""

from django.contrib import admin
from django.utils import timezone
from django_tasks_db import admin as tasks_db_admin  # registers its admin first, replaced here
from django_tasks_db.models import DBTaskResult, get_date_max

# What each task's arguments name, for the list.
ABOUT = {
    "send_decision_email": lambda kwargs: f"decision email, moderation event {kwargs['event_id']}",
    "send_correction_decision_email": lambda kwargs: (
        f"correction decision email, correction {kwargs['correction_id']}"
    ),
    "send_queue_digest": lambda kwargs: (
        "moderators' digest"
        + (f" to {', '.join(kwargs['recipients'])}" if kwargs.get("recipients") else "")
    ),
    "make_image_renditions": lambda kwargs: (
        f"image copies of {kwargs['kind']} {kwargs['pk']} ({kwargs['name']})"
    ),
}

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(tasks_db_admin.DBTaskResultAdmin):
    list_display = ["task_name", "about", "attempt", "status", "outcome", "enqueued_at"]
    list_filter = ["status", "task_path"]

    @admin.display(description="about")
    def about(self, result):
        kwargs = result.args_kwargs.get("kwargs", {})
        describe = ABOUT.get(result.task_path.rsplit(".", 1)[-1])
        try:
            return describe(kwargs) if describe else ""
        except KeyError:
            return str(kwargs)

    @admin.display(description="attempt")
    def attempt(self, result):
        return result.args_kwargs.get("kwargs", {}).get("attempt", 1)

    @admin.display(description="outcome")
    def outcome(self, result):
        """What became of it: due when, retried after which error, or why it gave up."""
        if result.status == "READY":
            if result.run_after == get_date_max():
                return "waiting for the worker"
            return f"due {timezone.localtime(result.run_after):%Y-%m-%d %H:%M:%S}"
        if result.status == "FAILED":
            lines = [line for line in result.traceback.splitlines() if line.strip()]
            return f"gave up: {lines[-1] if lines else result.exception_class_path}"
        value = result.return_value
        if isinstance(value, dict) and "retried_as" in value:
            return f"retried after {value.get('error', 'an error')}"
        return "" if value is None else str(value)
