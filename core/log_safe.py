"""An exception for the log without its message, where the input it failed on is PHI.

A parser's or the database's message may quote the value it choked on ("Key (accession)=(A123) already exists",
"bad name 'SMITH^JOHN'"), and PHI must never reach a log. What debugging needs stays: each exception's type and its
stack (file, line, function, source line), down the chain of causes.
"""

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
