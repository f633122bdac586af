"""Mined findings: one trait mention with its assertion, section and evidence offsets, as plain data.

Not to be confused with `reports_nlp.models.Finding`, the stored row of a mining run.
"""

from typing import NamedTuple

ASSERTIONS = ("present", "absent", "uncertain", "historical")


class FindingRow(NamedTuple):
    """The small tuple worker processes return; character offsets index the report text."""

    trait: str
    assertion: str
    section: str
    start: int
    end: int
    sent_start: int
    sent_end: int
    cue: str


class MinedFinding(NamedTuple):
    """What `ReportPipeline.mine` returns for one mention: the offsets with the matched text and its sentence."""

    trait: str
    assertion: str
    section: str
    start: int  # character offsets of the matched phrase in the report text
    end: int
    text: str
    sentence: str
    cue: str = ""  # the trigger phrase that decided the assertion ("" when none: present)

    @classmethod
    def from_row(cls, row: FindingRow, text: str) -> "MinedFinding":
        return cls(
            row.trait, row.assertion, row.section, row.start, row.end,
            text[row.start:row.end], text[row.sent_start:row.sent_end], row.cue,
        )

    def to_json(self) -> dict:
        """The `mine_text` shape: trait, assertion, section, start, end, text."""
        return {
            "trait": self.trait, "assertion": self.assertion, "section": self.section,
            "start": self.start, "end": self.end, "text": self.text,
        }
