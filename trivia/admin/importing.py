"""The admin's "Import an article" page: the same importer as ``manage.py import_article``.

Two steps: the moderator pastes or uploads an article and sees how it splits (each story's
heading and title match); confirming writes the stories to the moderation queue. The preview
carries the text in a hidden field and the confirmation splits it again, so what is written is
exactly what the importer makes of that text.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from ..importer.reading import ArticleError
from ..importer.writing import import_article
from .forms import ArticleImportForm


class ArticleImportMixin:
    """Adds ``import/`` to a story admin, for users who may moderate."""

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_article_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_import",
            ),
            *super().get_urls(),
        ]

    def import_article_view(self, request):
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        form = ArticleImportForm(request.POST or None, request.FILES or None)
        result = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            confirmed = "confirm" in request.POST
            try:
                result = import_article(
                    data["text"],
                    user=request.user,
                    source_title=data["source_title"].strip(),
                    source_url=data["source_url"],
                    publisher=data["publisher"].strip(),
                    dry_run=not confirmed,
                )
            except ArticleError as error:
                form.add_error(None, str(error))
            else:
                if result.already_imported:
                    messages.warning(
                        request,
                        f"This article was already imported on {result.source.created_at:%Y-%m-%d}"
                        f" as “{result.source}”: nothing was created.",
                    )
                if confirmed or result.already_imported:
                    if result.created:
                        self.announce_import(request, result)
                    changelist = f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"
                    return HttpResponseRedirect(reverse(changelist))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import an article",
            "form": form,
            "article": result.article if result else None,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/trivia/import_article.html", context)

    def announce_import(self, request, result):
        counts = result.article.counts
        messages.success(
            request,
            f"Imported “{result.source}”: {counts['stories']} stories are in the queue "
            f"({counts['matched']} matched a title, {counts['unmatched']} with a heading to "
            f"match, {counts['no heading']} without a heading).",
        )
