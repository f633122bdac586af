"""Consensus of independent reads for one study: vote tallies, majority, adaptive overlap and adjudication triggers.

A read states each trait present, absent or uncertain. For the study-level label an uncertain read
is half a vote each way (it neither confirms nor rules out), so the soft label is
(present + uncertain / 2) / reads and an exact half is a tie.
"""

from dataclasses import dataclass

PRESENT, ABSENT, UNCERTAIN = "present", "absent", "uncertain"
STATES = (PRESENT, ABSENT, UNCERTAIN)

TIE, HIGH_DISAGREEMENT = "tie", "high_disagreement"


@dataclass(frozen=True)
class Votes:
    present: int = 0
    absent: int = 0
    uncertain: int = 0

    @classmethod
    def of(cls, states) -> "Votes":
        states = list(states)
        return cls(states.count(PRESENT), states.count(ABSENT), states.count(UNCERTAIN))

    @property
    def n(self) -> int:
        return self.present + self.absent + self.uncertain

    @property
    def soft_label(self) -> float | None:
        return (self.present + self.uncertain / 2) / self.n if self.n else None

    @property
    def unanimous(self) -> bool:
        return max(self.present, self.absent, self.uncertain) == self.n

    @property
    def majority(self) -> str | None:
        """present / absent by more than half the weighted votes; None on a tie."""
        soft = self.soft_label
        if soft is None or soft == 0.5:
            return None
        return PRESENT if soft > 0.5 else ABSENT

    def as_dict(self) -> dict:
        return {PRESENT: self.present, ABSENT: self.absent, UNCERTAIN: self.uncertain}


@dataclass(frozen=True)
class StudyOutcome:
    """What a study needs next: another read, adjudication of some traits, or nothing (consensus stands)."""

    extend: bool
    adjudicate: dict  # trait code -> reason (tie / high_disagreement)


def study_outcome(votes: dict[str, Votes], significance: dict[str, str], *, n_reads: int, max_reads: int) -> StudyOutcome:
    """Adaptive overlap: disagreement on a high-significance trait first asks for another reader, up to
    `max_reads`; after that it goes to adjudication, as do ties on any trait."""
    high = [code for code, v in votes.items() if significance.get(code) == "high" and not v.unanimous]
    if high and n_reads < max_reads:
        return StudyOutcome(extend=True, adjudicate={})
    adjudicate = {code: HIGH_DISAGREEMENT for code in high}
    for code, v in votes.items():
        if code not in adjudicate and v.majority is None and v.n:
            adjudicate[code] = TIE
    return StudyOutcome(extend=False, adjudicate=adjudicate)


def binary_call(state: str) -> int:
    """A reader's call as 0/1 for sensitivity, specificity and Dawid–Skene: a hedged finding is a positive
    call (it sends the study for review), as reader studies usually score it."""
    return 0 if state == ABSENT else 1
