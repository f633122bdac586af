"""core.log_safe: an exception for the log keeps each type and stack of its chain, never a message."""

from core.log_safe import exception_outline


def _parse(value):
    raise ValueError(f"bad value {value!r}")


def _import(value):
    try:
        _parse(value)
    except ValueError as exc:
        raise RuntimeError(f"import of {value} failed") from exc


def test_the_outline_names_each_exception_and_frame_of_the_chain_but_no_message():
    name = "SMITH^JOHN"  # not on the line that raises: source lines of the stack are kept
    try:
        _import(name)
    except RuntimeError as exc:
        outline = exception_outline(exc)
    assert "SMITH" not in outline
    assert outline.index("builtins.RuntimeError (message left out)") < outline.index("builtins.ValueError")
    assert "in _import" in outline and "in _parse" in outline and "raised from or while handling" in outline


def test_an_exception_never_raised_has_no_frames():
    assert exception_outline(KeyError("MRN-1")) == "builtins.KeyError (message left out)\n"
