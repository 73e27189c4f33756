"""How every form on the site is drawn: ``settings.FORM_RENDERER``.

``{{ form }}`` renders templates/includes/form.html (the form's errors, then its fields) and
``{{ form.<name>.as_field_group }}`` one field with templates/includes/form_field.html: label,
widget, help and errors, linked for screen readers. A page that lays fields out itself (the
submit form) still draws each one with that template, so there is one way to draw a field.
"""

from django.forms.renderers import TemplatesSetting


class SiteFormRenderer(TemplatesSetting):
    """Django's renderer through the project's templates (``django.forms`` is installed, so the
    widgets' own templates are found as well), with the site's form and field templates."""

    form_template_name = "includes/form.html"
    field_template_name = "includes/form_field.html"
