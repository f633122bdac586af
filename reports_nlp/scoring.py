"""Candidate scores: how much a report's verdict on a trait should pull its study up the annotation queue.

The paper enriched rare findings by ranking studies whose reports assert rare or clinically
significant traits first. The score multiplies four factors, each shown in the reason:
verdict (present 1, uncertain 0.5, historical 0.1, absent 0), significance (high 3, moderate 2,
low 1), rarity (1 + log10(100 / prevalence %), so a 17 % trait gives 1.8 and a 0.02 % trait 4.8)
and the curator's mapping weight.
"""

import math
from dataclasses import dataclass

VERDICT_FACTOR = {"present": 1.0, "uncertain": 0.5, "historical": 0.1, "absent": 0.0}
SIGNIFICANCE_FACTOR = {"high": 3.0, "moderate": 2.0, "low": 1.0}
MIN_PREVALENCE = 0.01  # percent; an unset prevalence counts as this rare, never as infinitely rare


@dataclass(frozen=True, slots=True)
class TraitWeights:
    name: str
    significance: str
    prevalence: float  # percent of studies
    weight: float = 1.0

    @property
    def rarity(self) -> float:
        return 1.0 + math.log10(100.0 / max(self.prevalence, MIN_PREVALENCE))


def candidate_score(verdict: str, trait: TraitWeights) -> float:
    return round(
        VERDICT_FACTOR.get(verdict, 0.0) * SIGNIFICANCE_FACTOR.get(trait.significance, 1.0)
        * trait.rarity * trait.weight,
        4,
    )


def candidate_reason(verdict: str, section: str, phrase: str, trait: TraitWeights) -> str:
    return (
        f"report {verdict}: {trait.name} ({trait.significance} significance, expected prevalence "
        f"{trait.prevalence:g}%) in {section} as '{phrase}'"
    )
