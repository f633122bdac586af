"""Log lines without the input they are about, where that input is PHI: exceptions, and library warnings.

A parser's or the database's message may quote the value it choked on ("Key (accession)=(A123) already exists",
"bad name 'SMITH^JOHN'"), and PHI must never reach a log. What debugging needs stays: each exception's type and its
stack (file, line, function, source line), down the chain of causes. A
library warning keeps its text with every quoted value left out.
"""

import logging
import re
import traceback


def exception_outline(exc: BaseException) -> str:
    """`exc`'s type and traceback, then those of the exceptions it was raised from or during; no message."""
    parts, seen = [], set()
    while exc is not None and id(exc) not in seen:  # a cycle in the chain is possible, if rare
        seen.add(id(exc))
        frames = "".join(traceback.format_tb(exc.__traceback__)).rstrip()
        parts.append(f"{type(exc).__module__}.{type(exc).__qualname__} (message left out)\n{frames}")
        exc = exc.__cause__ or exc.__context__
    return "\nwhich was raised from or while handling:\n".join(parts)


# A quoted string, single or double, with backslash escapes: how repr() and f"'{value}'" spell a value.
_QUOTED = re.compile(r"""'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*\"""")


class QuotedValuesLeftOut(logging.Filter):
    """Replaces every quoted string in a record's message with "(value left out)".

    For libraries that quote the input they warn about (pydicom: "Invalid value for VR DA: '19470312'."), where
    that input is a header value and so possibly PHI. The warning's kind stays readable.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = _QUOTED.sub("(value left out)", record.getMessage()), None
        return True
