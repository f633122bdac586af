"""Integer query parameters: one parser for every API, so a bad value is a 400 that names the parameter and the range.

Ids, limits and offsets end up in SQL as PostgreSQL `bigint`; a value past its range used to reach the database and
come back as a 500. Every API reads its integer query parameters through `int_param`, and the list pagination reads
`limit` and `offset` through it too (core/pagination.py).
"""

from rest_framework.exceptions import ValidationError

BIGINT_MAX = 2**63 - 1  # PostgreSQL bigint: the widest integer column and the type of LIMIT/OFFSET


def int_param(query_params, name: str, default: int | None = None, *, min_value: int = 0,
              max_value: int = BIGINT_MAX) -> int | None:
    """`name` from a request's query parameters as an int in [min_value, max_value]; `default` when absent or empty.

    Anything else (not an integer, out of range) raises a 400 `{name: ["..."]}` that says what was given and what the
    parameter allows.
    """
    raw = query_params.get(name)
    if raw is None or raw.strip() == "":
        return default
    text = raw.strip()
    digits = text[1:] if text[:1] in "+-" else text
    # isdecimal, not int(): int() also takes "1_000", "١٢" and thousands of digits (CPython caps those at 4300).
    value = int(text) if digits.isascii() and digits.isdecimal() and len(digits) <= 30 else None
    if value is None or not min_value <= value <= max_value:
        # A list, as a serializer's field errors are: clients read every 400 the same way.
        message = f"'{_shown(raw)}' is not allowed: {name} must be an integer from {min_value} to {max_value}."
        raise ValidationError({name: [message]})
    return value


def _shown(raw: str) -> str:
    return raw if len(raw) <= 40 else raw[:37] + "..."
