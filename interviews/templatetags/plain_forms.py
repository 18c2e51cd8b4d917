"""A form's fields in the markup crispy's bootstrap5 pack gives them, written in Python.

For the small forms on pages that load often (the interview page's "Add a person you
met", through ``{% include "_form.html" with plain=True %}``): crispy renders each field
through several nested templates, which cost more than the rest of the panel. The markup
is the same (wrapper, label, asterisk, widget classes, errors, help text); a field whose
widget is not one of the plain kinds below goes to crispy.
"""

from __future__ import annotations

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Widget → the classes crispy's bootstrap5 pack adds (its name, then Bootstrap's).
_PLAIN = {
    forms.TextInput: "form-control",
    forms.EmailInput: "form-control",
    forms.URLInput: "form-control",
    forms.NumberInput: "form-control",
    forms.Textarea: "form-control",
    forms.Select: "form-select",
}


def _field(bound: forms.BoundField) -> SafeString:
    widget = bound.field.widget
    bootstrap = _PLAIN.get(type(widget))
    if bootstrap is None or bound.is_hidden or not bound.label:
        return as_crispy_field(bound)
    name = type(widget).__name__.lower()
    existing = widget.attrs.get("class", "")
    css = f"{existing} {name}" if existing and name not in existing else existing or name
    css = f"{css} {bootstrap}" + (" is-invalid" if bound.errors else "")
    required = bound.field.required
    errors = (
        format_html(
            ' <div id="{}_error" class="invalid-feedback"> {} </div>',
            bound.auto_id,
            format_html_join(
                " ", '<p id="error_{}_{}"><strong>{}</strong></p>',
                ((n, bound.auto_id, e) for n, e in enumerate(bound.errors, start=1)),
            ),
        )
        if bound.errors
        else ""
    )
    help_text = (
        format_html(' <div id="{}_helptext" class="form-text">{}</div>', bound.auto_id,
                    bound.help_text)
        if bound.help_text
        else ""
    )
    return format_html(
        '<div id="div_{}" class="mb-3"> <label for="{}" class="form-label{}">{}{}</label> '
        "{}{}{} </div>",
        bound.auto_id, bound.id_for_label, " requiredField" if required else "", bound.label,
        mark_safe('<span class="asteriskField">*</span>') if required else "",
        bound.as_widget(attrs={"class": css}), errors, help_text,
    )


@register.simple_tag
def plain_fields(form: forms.BaseForm) -> SafeString:
    """What ``{{ form|crispy }}`` gives: the media, the non-field errors, each field."""
    parts = [form.media.render()] if form.media._js or form.media._css else []
    if form.non_field_errors():
        parts.append(format_html(
            '<div class="alert alert-block alert-danger"> <ul class="m-0"> {} </ul> </div>',
            format_html_join(" ", "<li>{}</li>", ((e,) for e in form.non_field_errors())),
        ))
    parts.extend(_field(bound) for bound in form)
    return format_html_join(" ", "{}", ((part,) for part in parts))
