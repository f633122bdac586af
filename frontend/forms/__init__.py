"""The pages' Django forms, one module per area: what a page accepts, parsed and checked before a service runs."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


def form_error_lines(form: forms.Form) -> list[str]:
    """One line per problem, naming the field, for pages that answer a form with a redirect and messages."""
    return [f"{form[field].label}: {message}" if field in form.fields else message
            for field, errors in form.errors.items() for message in errors]


def form_add_refusal(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's refusal on the bound form (on the field it names, when the form has that field), so the page
    re-renders with the user's input and the reason beside it."""
    by_field = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    for field, messages in by_field.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
