"""The admin's "Import an article" page: the same importer as ``manage.py import_article``.

Two steps. The moderator pastes text or HTML, uploads a file or gives an address, and sees how
it splits: every paragraph of the source with what the split made of it (title, intro, heading,
story, caption, furniture), and every story with its title (matched or proposed), people, name
corrections, possible repeats and notes. The moderator may give any paragraph another role and
split again; confirming writes the stories to the moderation queue. The preview carries the
article as the splitter reads it (a page is fetched once, never again) and the roles in its
form, and the confirmation splits it again with them, so what is written is exactly what the
preview showed.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path

from ..importer.reading import ArticleError
from ..importer.splitting import ROLES, current_roles
from ..importer.writing import import_article
from .forms import ArticleImportForm, ArticlePreviewForm

# What the preview calls each of the splitter's roles (``splitting.ROLES``).
ROLE_LABELS = {
    "title": "Article title",
    "intro": "Introduction",
    "heading": "Heading",
    "story": "Starts a story",
    "continue": "Continues the story above",
    "caption": "Caption",
    "furniture": "Page furniture",
}


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
        if request.method == "POST" and "previewed" in request.POST:
            return self.previewed_article(request)
        form = ArticleImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            article = form.cleaned_data["article"]
            preview = ArticlePreviewForm(
                initial={
                    "text": article.text,
                    "source_title": article.title[:300],
                    "source_url": article.url,
                    "publisher": article.site_name[:200],
                    "author": article.author[:200],
                    "date": article.date,
                    "cited_names": "\n".join(article.cited_names),
                }
            )
            try:
                return self.split_or_write(
                    request,
                    preview,
                    article.text,
                    dict(preview.initial),
                    confirm="confirm" in request.POST,  # straight to the queue, as a script may
                )
            except ArticleError as error:
                form.add_error(None, str(error))
        return self.render_import(request, form=form)

    def previewed_article(self, request):
        """The preview's buttons: split again with the roles as set, or write the stories."""
        preview = ArticlePreviewForm(request.POST)
        if not preview.is_valid():
            messages.error(request, "The preview arrived damaged; start the import again.")
            return self.render_import(request, form=ArticleImportForm())
        try:
            roles = preview.roles()
        except ValidationError as error:
            preview.add_error(None, error)
            roles = None
        data = preview.cleaned_data
        try:
            return self.split_or_write(
                request, preview, data["text"], data, roles=roles, confirm="confirm" in request.POST
            )
        except ArticleError as error:
            # The roles left no story: the split as it was, with the reason.
            messages.error(request, str(error))
            return self.split_or_write(request, preview, data["text"], data)

    def split_or_write(self, request, preview, text, data, *, roles=None, confirm=False):
        """The preview of ``text`` split (with ``roles``, when given), or, with ``confirm``, its
        stories written; ``ArticleError`` when it holds no story to import."""
        result = import_article(
            text,
            user=request.user,
            source_title=(data["source_title"] or "").strip(),
            source_url=data["source_url"] or "",
            publisher=(data["publisher"] or "").strip(),
            author=(data["author"] or "").strip(),
            date=data["date"],
            cited_names=[name for name in (data["cited_names"] or "").split("\n") if name],
            roles=roles,
            dry_run=not confirm,
        )
        if result.already_imported:
            messages.warning(
                request,
                f"This article was already imported on {result.source.created_at:%Y-%m-%d} "
                f"as source #{result.source.pk} “{result.source}”: nothing was created.",
            )
            return HttpResponseRedirect(self.changelist_url(request))
        if confirm:
            self.announce_import(request, result)
            return HttpResponseRedirect(self.changelist_url(request))
        article = result.article
        paragraphs = list(zip(article.paragraphs, current_roles(article), strict=True))
        return self.render_import(
            request,
            preview=preview,
            article=article,
            paragraphs=paragraphs,
            role_choices=[(role, ROLE_LABELS[role]) for role in ROLES],
        )

    def render_import(self, request, **context):
        form = context.get("form") or context.get("preview")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import an article",
            "media": self.media + form.media,
            **context,
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
