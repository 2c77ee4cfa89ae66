"""GOV.UK Design System rendering for ordinary Django forms.

With ``FORM_RENDERER = "safeguarding.core.forms.GovUKFormRenderer"``, ``{{ form }}`` renders every
visible field as a GOV.UK form group (label or fieldset legend, hint, error message, input) from
the templates in ``safeguarding/templates/govuk/forms/``, and each input gets the GOV.UK classes
for its widget and error state from :class:`GovUKBoundField`.

Declare forms as :class:`GovUKForm` or :class:`GovUKModelForm` (or mix :class:`GovUKFormMixin`
into another form class, such as one of Django's auth forms). They use the GOV.UK bound field and
renderer whatever the project setting, and drop Django's ":" label suffix.

Ids follow Django's own convention, so Django's ``aria-describedby`` handling points at them:
the hint is ``<id>_helptext`` and the error message ``<id>_error``. A single field is rendered
with ``{{ form.name.as_field_group }}``; the error summary is ``includes/error_summary.html``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.renderers import BaseRenderer, TemplatesSetting
from django.forms.widgets import Input

# What each kind of widget is rendered as (see govuk/forms/field.html).
HIDDEN = "hidden"
INPUT = "input"
PASSWORD = "password"
TEXTAREA = "textarea"
SELECT = "select"
RADIOS = "radios"
CHECKBOXES = "checkboxes"
CHECKBOX = "checkbox"
FILE = "file"
MULTI = "multi"
OTHER = "other"

# Default widths for date and time inputs, which are plain text inputs here (the form field
# accepts day-first dates such as 27/3/2007, or ISO dates, under LANGUAGE_CODE "en-gb").
_INPUT_WIDTHS: tuple[tuple[type[forms.Widget], str], ...] = (
    (forms.DateTimeInput, "govuk-input--width-20"),
    (forms.DateInput, "govuk-input--width-10"),
    (forms.TimeInput, "govuk-input--width-5"),
)


def govuk_widget_kind(widget: forms.Widget) -> str:
    """Name the GOV.UK component that renders ``widget``."""
    if widget.is_hidden:
        return HIDDEN
    # Order matters: CheckboxSelectMultiple is a RadioSelect; RadioSelect and Select are both
    # ChoiceWidgets; CheckboxInput, PasswordInput and FileInput are all Inputs.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return CHECKBOXES
    if isinstance(widget, forms.RadioSelect):
        return RADIOS
    if isinstance(widget, forms.CheckboxInput):
        return CHECKBOX
    if isinstance(widget, forms.MultiWidget):
        return MULTI
    if isinstance(widget, forms.Select):
        return SELECT
    if isinstance(widget, forms.Textarea):
        return TEXTAREA
    if isinstance(widget, forms.FileInput):
        return FILE
    if isinstance(widget, forms.PasswordInput):
        return PASSWORD
    if isinstance(widget, Input):
        return INPUT
    return OTHER


def _is_admin_widget(widget: forms.Widget) -> bool:
    return type(widget).__module__.startswith("django.contrib.admin")


def _join_classes(*groups: object) -> str:
    seen: list[str] = []
    for group in groups:
        for name in (group if isinstance(group, str) else "").split():
            if name not in seen:
                seen.append(name)
    return " ".join(seen)


class GovUKBoundField(forms.BoundField):
    """A bound field that adds GOV.UK classes to its widget when rendered.

    Classes are worked out at render time, so they follow the error state after validation.
    Classes already set on the widget (for example ``govuk-input--width-5``) are kept.
    """

    @property
    def govuk_kind(self) -> str:
        return govuk_widget_kind(self.field.widget)

    @property
    def govuk_optional(self) -> bool:
        """Whether the label says "(optional)": GOV.UK marks optional questions, not required ones."""
        if self.field.required or self.govuk_kind in (CHECKBOX, HIDDEN):
            return False
        if str(self.label or "").rstrip().lower().endswith("(optional)"):
            return False  # the label says so already: never "(optional) (optional)"
        return bool(getattr(self.form, "govuk_mark_optional", True))

    @property
    def govuk_error_target_id(self) -> str:
        """The id an error summary link points at: the input itself, or the first option."""
        if not self.auto_id:
            return ""
        if self.govuk_kind in (RADIOS, CHECKBOXES):
            return f"{self.auto_id}_0"
        first_error_id = getattr(self.field.widget, "first_error_id", None)
        if first_error_id is not None:
            return str(first_error_id(self.auto_id))  # a date input: its first box at fault
        return self.id_for_label or self.auto_id

    def as_widget(
        self, widget: forms.Widget | None = None, attrs: dict[str, Any] | None = None, only_initial: bool = False
    ) -> Any:
        widget = widget or self.field.widget
        if isinstance(widget, forms.NumberInput) and not _is_admin_widget(widget):
            widget = self._numeric_text_input(widget)
        return super().as_widget(widget, attrs, only_initial)

    def _numeric_text_input(self, widget: forms.NumberInput) -> forms.TextInput:
        """GOV.UK asks for text inputs with ``inputmode`` rather than ``type="number"``.

        Browsers throw away what a person typed into a number input when it is not a number, so
        the value could not be shown back to them with the error message.
        """
        attrs = {name: value for name, value in widget.attrs.items() if name not in ("min", "max", "step")}
        decimal = isinstance(self.field, (forms.FloatField, forms.DecimalField))
        attrs.setdefault("inputmode", "decimal" if decimal else "numeric")
        attrs.setdefault("spellcheck", "false")
        text_input = forms.TextInput(attrs=attrs)
        text_input.is_localized = widget.is_localized
        text_input.is_required = widget.is_required
        return text_input

    def govuk_widget_classes(self, widget: forms.Widget) -> str:
        kind = govuk_widget_kind(widget)
        error = bool(self.errors)
        if kind in (INPUT, PASSWORD):
            classes = ["govuk-input"]
            if kind == PASSWORD:
                classes += ["govuk-password-input__input", "govuk-js-password-input-input"]
            for widget_class, width in _INPUT_WIDTHS:
                if isinstance(widget, widget_class):
                    if "govuk-input--width-" not in (widget.attrs.get("class") or ""):
                        classes.append(width)
                    break
            if error:
                classes.append("govuk-input--error")
        elif kind == TEXTAREA:
            classes = ["govuk-textarea", *(["govuk-textarea--error"] if error else [])]
        elif kind == SELECT:
            classes = ["govuk-select", *(["govuk-select--error"] if error else [])]
        elif kind == FILE:
            classes = ["govuk-file-upload", *(["govuk-file-upload--error"] if error else [])]
        elif kind == RADIOS:
            classes = ["govuk-radios__input"]
        elif kind in (CHECKBOXES, CHECKBOX):
            classes = ["govuk-checkboxes__input"]
        else:
            # Hidden inputs need nothing; multi-widgets pass attrs to every sub-widget, which
            # would overwrite their own classes (the admin's date and time pickers need theirs).
            classes = []
        return " ".join(classes)

    def build_widget_attrs(self, attrs: dict[str, Any], widget: forms.Widget | None = None) -> dict[str, Any]:
        widget = widget or self.field.widget
        attrs = super().build_widget_attrs(attrs, widget)
        if _is_admin_widget(widget):
            return attrs  # leave the admin's own widgets alone
        govuk_classes = self.govuk_widget_classes(widget)
        if govuk_classes:
            # Attrs given here replace the widget's own, so carry those classes over.
            attrs["class"] = _join_classes(govuk_classes, widget.attrs.get("class"), attrs.get("class"))
        if govuk_widget_kind(widget) == PASSWORD:
            for name, value in (("spellcheck", "false"), ("autocapitalize", "none")):
                if name not in widget.attrs:
                    attrs.setdefault(name, value)
        return attrs


class GovUKFormRenderer(TemplatesSetting):
    """Renders forms and fields with the GOV.UK templates in ``safeguarding/templates/govuk/forms``.

    Like Django's ``TemplatesSetting``, it finds templates through ``settings.TEMPLATES``: the
    project's templates directory must be in ``DIRS``, and ``"django.forms"`` must be in
    ``INSTALLED_APPS`` (with ``APP_DIRS`` on) so that Django's widget templates are found.
    Every form gets :class:`GovUKBoundField`, so plain Django forms (including Django's own auth
    forms) render as GOV.UK components too; the admin's own widgets are left alone.
    """

    form_template_name = "govuk/forms/form.html"
    field_template_name = "govuk/forms/field.html"
    bound_field_class = GovUKBoundField


class GovUKFormMixin:
    """Render with GOV.UK markup whatever ``FORM_RENDERER`` says, with no ":" after labels."""

    default_renderer: BaseRenderer | type[BaseRenderer] | None = GovUKFormRenderer
    bound_field_class: type[forms.BoundField] | None = GovUKBoundField
    # Mark optional questions "(optional)" in their labels; set False on a form to stop it.
    govuk_mark_optional = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class GovUKForm(GovUKFormMixin, forms.Form):
    """A ``forms.Form`` rendered as GOV.UK components."""


class GovUKModelForm(GovUKFormMixin, forms.ModelForm):
    """A ``forms.ModelForm`` rendered as GOV.UK components."""


def add_service_errors(form: forms.BaseForm, exc: Any, field_for: Any = None) -> None:
    """A service's ValidationError shown on the form it came from: each field's messages against that
    field (or the field `field_for(name)` names), anything else at the top. One copy for every app."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = field_for(name) if field_for else (name if name in form.fields else None)
            form.add_error(target, errors)
    else:
        form.add_error(None, exc)


def attempt(form: forms.BaseForm, action: Any, field_for: Any = None) -> bool:
    """Run a service call for a page; on a refusal put its message on the form, which keeps what was
    typed, and answer False. A ValidationError's messages go against their fields; a `ServiceError`'s
    (not allowed, stale version) at the top. One copy for every app."""
    from django.core.exceptions import ValidationError

    from safeguarding.core.kernel import ServiceError

    try:
        action()
    except ValidationError as exc:
        add_service_errors(form, exc, field_for)
    except ServiceError as exc:
        form.add_error(None, exc.message)
    else:
        return True
    return False
