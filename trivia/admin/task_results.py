"""The task queue's results (``trivia.tasks``), read-only: what the worker did, what it will
retry, and above all what it failed to do.

django-tasks-db registers a plain list of its results; this one says what each task was about
(which decision's email, which image) and why it failed, for superusers and for moderators
(who may view it: ``trivia.roles``), who are the ones to tell a contributor an email never
went out. "Status: Failed" lists what needs a person.

An account email (``send_account_email``) is queued written, confirmation or password-reset link
included: the worker could not make that link again. The link opens someone's account, so these
pages show of such a task only the recipient and subject, never its arguments as stored. The
body stays in the database, next to the sessions and keys that are as secret, until
``prune_db_task_results`` removes it; the links expire within days anyway.
"""

import json

from django.contrib import admin
from django.utils import timezone
from django_tasks_db import admin as tasks_db_admin  # registers its admin first, replaced here
from django_tasks_db.models import DBTaskResult, get_date_max

from .base import SiteAdmin

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
    "send_account_email": lambda kwargs: (
        f"account email to {', '.join(kwargs['rendered']['to'])}: {kwargs['rendered']['subject']}"
    ),
    "make_image_renditions": lambda kwargs: (
        f"image copies of {kwargs['kind']} {kwargs['pk']} ({kwargs['name']})"
    ),
}

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(SiteAdmin, tasks_db_admin.DBTaskResultAdmin):
    list_display = ["task_name", "about", "attempt", "status", "outcome", "enqueued_at"]
    list_filter = ["status", "task_path"]

    def get_readonly_fields(self, request, obj=None):
        """The change page lists every field; its arguments as ``arguments`` below."""
        fields = super().get_readonly_fields(request, obj)
        return ["arguments" if field == "args_kwargs" else field for field in fields]

    @admin.display(description="args kwargs")
    def arguments(self, result):
        """A task's arguments, except the written account emails' bodies (see above)."""
        args_kwargs = result.args_kwargs
        rendered = args_kwargs.get("kwargs", {}).get("rendered")
        if isinstance(rendered, dict):
            shown = {key: rendered.get(key) for key in ("to", "subject")}
            shown["body"] = "(not shown: it holds a sign-in link)"
            args_kwargs = {**args_kwargs, "kwargs": {**args_kwargs["kwargs"], "rendered": shown}}
        return json.dumps(args_kwargs, indent=2, ensure_ascii=False)

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
