"""The default ConText assertion rules for head-CT reports, as plain data curators can extend.

Each rule is a dict:

    {"phrase": "no evidence of", "category": "negated", "direction": "forward",
     "max_scope": None, "applies_to": ()}

- ``phrase``: matched case-insensitively on whole tokens (a phrase is tokenized like report text).
- ``category``: ``negated`` (-> absent), ``uncertain`` (hedge), ``historical`` (prior or resolved),
  ``indication`` (a reason for the study, -> uncertain, never present), ``alternative`` ("A or B": each
  uncertain, only between two findings and only where no other trigger covers the finding), ``pseudo`` (looks like a
  trigger but is none: it hides the shorter trigger inside it and ends the scope of the others, so
  "no change in the size of the SDH" stays present), ``terminate`` (ends the scope of other
  triggers: "but", "however").
- ``direction``: ``forward`` (covers findings after it), ``backward`` (before it) or ``bidirectional``.
  Ignored for ``pseudo`` and ``terminate``.
- ``max_scope``: optional limit in tokens; otherwise the scope runs to the sentence end (sentences
  already break at semicolons) or the first terminator.
- ``applies_to``: for ``terminate`` and ``pseudo``: the categories whose scope it ends (empty: all).

When two rules overlap in a sentence, the longer phrase wins ("no change in" hides "no"); when
several triggers cover a finding, the nearest one decides (see docs/report-mining.md).
"""


def _rules(category: str, direction: str, phrases: tuple[str, ...], max_scope: int | None = None,
           applies_to: tuple[str, ...] = ()) -> list[dict]:
    return [
        {"phrase": p, "category": category, "direction": direction, "max_scope": max_scope, "applies_to": applies_to}
        for p in phrases
    ]


_NEGATED_FORWARD = (
    "no", "not", "without", "negative for", "no evidence of", "no evidence for", "no sign of", "no signs of",
    "no findings of", "no findings to suggest", "free of", "absence of", "absent", "never", "neither", "nor",
    "rules out", "ruled out for", "rather than", "instead of", "no longer", "no history of", "no prior",
    "no previous", "no old",
    "without evidence of", "no definite", "no convincing", "no residual", "no recurrent", "not demonstrate",
    "does not demonstrate", "fails to demonstrate", "no ct evidence of", "no imaging evidence of",
    "no imaging evidence to suggest",
)
_NEGATED_BACKWARD = (
    "is not seen", "are not seen", "not seen", "not identified", "is not identified", "are not identified",
    "not visualized", "not appreciated", "not demonstrated", "not evident", "not present", "is absent",
    "are absent", "not detected", "not noted", "not apparent", "no longer seen", "no longer visualized",
    "no longer identified", "no longer present", "no longer evident", "has resolved", "have resolved",
    "has since resolved", "have since resolved", "has completely resolved", "is resolved",
    "are resolved", "has been ruled out", "was ruled out", "is ruled out", "ruled out", "is negative",
    "are negative", ": none", ": negative", ": absent", "- none", "none seen", "none identified",
)
_UNCERTAIN_FORWARD = (
    "possible", "possibly", "may be", "may", "might", "could be", "could", "questionable", "questionably",
    "question of", "cannot exclude",
    "can not exclude", "can't exclude", "cannot rule out", "can not rule out",
    "do not exclude", "does not exclude", "do not rule out", "does not rule out", "not excluding",
    "suspicious for", "suspicious of", "concerning for", "worrisome for", "suggestive of", "suggesting",
    "suggests", "suggest", "likely", "most likely", "probable", "probably", "presumed",
    "presumably", "suspected", "suspect", "suspicion of", "suspicion for", "differential includes",
    "differential diagnosis includes", "differential diagnosis", "differential considerations include",
    "differential considerations", "differential", "ddx", "uncertain", "borderline", "favor", "favored",
    "favoring", "equivocal", "indeterminate", "cannot entirely exclude",
    "raising the possibility of", "raises the possibility of", "the possibility of", "consider",
    "considerations include", "vague", "not definitely", "suggest that", "suggests that", "suggesting that",
    "likely that", "possible that", "probable that", "concern that", "question whether", "unclear whether",
    "uncertain whether", "is possible that", "it is possible that", "is likely that", "it is likely that",
)
_UNCERTAIN_BACKWARD = (
    "cannot be excluded", "can not be excluded", "cannot be ruled out", "can not be ruled out", "not excluded",
    "not ruled out", "not entirely excluded", "not completely excluded", "is not excluded", "are not excluded",
    "cannot be entirely excluded", "cannot be completely excluded", "is possible", "are possible",
    "is suspected", "are suspected", "is questioned", "is questionable", "is uncertain", "is likely",
    "is favored", "is considered", "difficult to exclude", "remains a possibility", "is a consideration",
    "is in the differential", "not entirely ruled out", "is not ruled out", "is probable", "is equivocal",
    "is indeterminate", "is not entirely excluded",
)
# "Resolved IVH" and "the IVH, now resolved": gone either way.
_NEGATED_BIDIRECTIONAL = ("resolved", "now resolved")
_UNCERTAIN_BIDIRECTIONAL = ("versus", "vs", "vs.", "or possibly", "and/or")
# "[observation] may represent [trait]": the hedge covers the trait whichever side names it
# ("white matter hypodensity may represent small vessel ischemic change").
_UNCERTAIN_INTERPRETATION = (
    "may represent", "may reflect", "could represent", "could reflect", "might represent", "might reflect",
    "likely represents", "likely reflects", "likely represent", "most likely represents", "probably represents",
    "possibly representing", "possibly reflecting", "may be related to",
)
_HISTORICAL_FORWARD_SHORT = ("old", "prior", "previous", "remote", "healed", "previously")
_HISTORICAL_FORWARD = (
    "history of", "hx of", "h/o", "known history of", "past history of", "past medical history of",
    "status post", "s/p", "interval resolution of", "interval resolution", "resolution of",
    "complete resolution of", "sequela of", "sequelae of", "sequela of prior", "sequelae of prior",
    "previously treated", "previously resected", "post resection of", "evacuation of", "evacuated",
)
_INDICATION_FORWARD = (
    "evaluate for", "evaluation for", "eval for", "evaluate", "evaluation of", "assess for", "assessment for",
    "assess", "rule out", "r/o", "to rule out", "to exclude", "exclude", "ro", "check for", "screen for",
    "screening for", "query", "look for", "please evaluate", "concern for", "question",
)
_PSEUDO_FORWARD = (
    "no change", "no change in", "no changes", "no significant change", "no interval change",
    "no significant interval change", "no appreciable change", "no appreciable interval change",
    "no substantial change", "no definite change", "no definite interval change", "no measurable change",
    "no interval increase", "no increase", "no significant increase", "no significant interval increase",
    "no interval enlargement", "no enlargement", "no interval growth", "no growth", "no interval expansion",
    "no expansion", "no interval decrease", "no decrease", "no significant decrease", "no worsening",
    "no significant worsening", "no progression", "no interval progression", "no significant progression",
    "no evidence of change", "no evidence of progression", "without change", "without interval change",
    "without significant change", "without significant interval change", "not changed", "not significantly changed",
    "not significantly different", "no significant difference", "not only", "not worse", "not enlarged",
    "prior study", "prior studies", "prior exam", "prior exams", "prior examination", "prior ct", "prior head ct",
    "prior scan", "prior imaging", "prior mri", "prior mr", "prior to", "from prior", "to prior", "with prior",
    "on prior", "since prior", "than prior", "from the prior", "to the prior", "with the prior", "on the prior",
    "previous study", "previous exam", "previous examination", "previous ct", "previous scan", "previous imaging",
    "compared to prior", "compared with prior", "gram negative", "not necessarily",
    "limited by", "limited due to", "degraded by", "obscured by",
)
# Descriptions of a finding seen before ("the previously seen SDH"): they hide "previously" and end a
# negation or hedge before them, but "interval resolution of the previously seen SDH" stays historical.
_PSEUDO_SEEN_BEFORE = (
    "previously seen", "previously noted", "previously described", "previously identified",
    "previously demonstrated", "previously reported", "previously known", "previously visualized",
    "again seen", "again noted", "again demonstrated", "again identified", "redemonstrated", "redemonstration of",
)
_TERMINATE_ALL = (
    "but", "however", "although", "though", "except", "except for", "apart from", "aside from", "other than",
    "whereas", "while", "which is", "which are", ", there is", ", there are", "is seen", "are seen", "is noted", "are noted", "is present", "are present", "is again seen", "otherwise",
    "besides", "nevertheless",
)
# A new clause after a comma with a severity word ends a negated list: "no hemorrhage, mild atrophy".
_TERMINATE_NEGATION = (
    ", mild", ", moderate", ", severe", ", marked", ", extensive", ", chronic", ", stable", ", unchanged",
    ", small", ", large", ", new", ", again", "source of", "cause of", "etiology of", "reason for", "origin of",
    "secondary to", "due to",
)
# A new statement ends a negation or a history, not a hedge: "suggest that there is an acute infarct".
_TERMINATE_STATEMENT = ("there is", "there are", "there has been", "there have been")
# A relative clause describes the finding before it: "SDH with a hypodensity that may represent contusion".
_TERMINATE_CLAUSE = ("which", "that", "who")

# The general clinical vocabulary (clinical history, indications, impressions that weigh alternatives), from
# the published NegEx and ConText trigger lists (Chapman et al. 2001, 2013; Harkema et al. 2009) beyond the
# head-CT phrasing above. Each phrase has a test sentence in tests/data/clinical_context_sentences.jsonl.
CLINICAL_NEGATED_FORWARD = (
    "denies", "deny", "denying", "patient denies", "denies any", "denies history of", "denies any history of",
    "denies a history of", "denied history of", "denied any history of", "free from", "negative history of", "no known", "no known history of",
    "has not had", "never had", "not had", "no suggestion of", "without any", "without signs of",
    "without evidence for", "did not reveal", "does not reveal", "fails to reveal", "no clinical evidence of",
    "not associated with", "unlikely to represent", "unlikely to be",
)
CLINICAL_NEGATED_BACKWARD = (
    "excluded", "was excluded", "is excluded", "has been excluded", "have been excluded", "are excluded",
    "is unlikely", "are unlikely", "unlikely", "is not favored", "not favored", "is gone", "has cleared",
    "have cleared", "has disappeared", "have disappeared", "was negative", "were negative",
)
# "Denied" reads both ways: "the patient denied head trauma", "loss of consciousness: denied".
CLINICAL_NEGATED_BIDIRECTIONAL = ("denied",)
# Weighing alternatives: "cannot distinguish A from B", "A cannot be differentiated from B": each uncertain.
CLINICAL_UNCERTAIN_FORWARD = (
    "cannot distinguish", "cannot differentiate",
    "cannot reliably distinguish", "cannot reliably differentiate", "difficult to distinguish",
    "difficult to differentiate", "unable to distinguish", "unable to differentiate", "less likely",
    "differential diagnoses include", "differential diagnosis would include", "consider also", "either",
)
CLINICAL_UNCERTAIN_BIDIRECTIONAL = (
    "cannot be distinguished from", "cannot be differentiated from", "indistinguishable from",
    "not distinguishable from", "is less likely", "is a differential consideration",
    "are differential considerations", "differential consideration",
)
# "A or B" between two findings: both possibilities (an alternative is inert without a finding on each side).
CLINICAL_ALTERNATIVE = ("or",)

CONTEXT_RULES: tuple[dict, ...] = tuple(
    _rules("negated", "forward", _NEGATED_FORWARD)
    + _rules("negated", "backward", _NEGATED_BACKWARD, max_scope=10)
    + _rules("negated", "bidirectional", _NEGATED_BIDIRECTIONAL, max_scope=6)
    + _rules("uncertain", "forward", _UNCERTAIN_FORWARD)
    + _rules("uncertain", "backward", _UNCERTAIN_BACKWARD, max_scope=12)
    + _rules("uncertain", "bidirectional", _UNCERTAIN_BIDIRECTIONAL, max_scope=6)
    + _rules("uncertain", "bidirectional", _UNCERTAIN_INTERPRETATION, max_scope=6)
    + _rules("historical", "forward", _HISTORICAL_FORWARD_SHORT, max_scope=5)
    + _rules("historical", "forward", _HISTORICAL_FORWARD, max_scope=8)
    + _rules("indication", "forward", _INDICATION_FORWARD)
    + _rules("indication", "bidirectional", ("?",), max_scope=6)
    + _rules("pseudo", "forward", _PSEUDO_FORWARD)
    + _rules("pseudo", "forward", _PSEUDO_SEEN_BEFORE, applies_to=("negated", "uncertain", "indication"))
    + _rules("terminate", "forward", _TERMINATE_ALL)
    + _rules("terminate", "forward", _TERMINATE_NEGATION, applies_to=("negated",))
    + _rules("terminate", "forward", _TERMINATE_CLAUSE, applies_to=("negated", "uncertain"))
    + _rules("terminate", "forward", _TERMINATE_STATEMENT, applies_to=("negated", "historical"))
    + _rules("negated", "forward", CLINICAL_NEGATED_FORWARD)
    + _rules("negated", "backward", CLINICAL_NEGATED_BACKWARD, max_scope=10)
    + _rules("negated", "bidirectional", CLINICAL_NEGATED_BIDIRECTIONAL, max_scope=8)
    + _rules("uncertain", "forward", CLINICAL_UNCERTAIN_FORWARD)
    + _rules("uncertain", "bidirectional", CLINICAL_UNCERTAIN_BIDIRECTIONAL, max_scope=8)
    + _rules("alternative", "bidirectional", CLINICAL_ALTERNATIVE, max_scope=6)
)
