"""The pages' Django forms, one module per area: what a page accepts, parsed and checked before a service runs."""

from django import forms


def form_error_lines(form: forms.Form) -> list[str]:
    """One line per problem, naming the field, for pages that answer a form with a redirect and messages."""
    return [f"{form[field].label}: {message}" if field in form.fields else message
            for field, errors in form.errors.items() for message in errors]
