"""Why a report message cannot be imported: a short kind for logs and counters, and where it failed."""


class IntakeError(ValueError):
    """`kind` ('unparseable', 'no-accession', ...) and `detail` name the segment or field, never its value (PHI)."""

    def __init__(self, kind: str, detail: str):
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail
