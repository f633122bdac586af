"""ConText rule records: validation of the rule data and what each category asserts."""

from dataclasses import dataclass

CATEGORIES = ("negated", "uncertain", "historical", "indication", "alternative", "pseudo", "terminate")
DIRECTIONS = ("forward", "backward", "bidirectional")

# The report assertion each trigger category gives a finding in its scope.
CATEGORY_ASSERTION = {
    "negated": "absent",
    "uncertain": "uncertain",
    "historical": "historical",
    "indication": "uncertain",  # a reason for the study is a question, never a finding
    # "A or B" between two findings: each is one possibility. Weaker than every other trigger, so
    # "no hemorrhage or mass" stays negated; without a finding on each side ("frontal or parietal") it is inert.
    "alternative": "uncertain",
}

# Tie-break when two triggers are equally near a finding: the more cautious reading wins.
CATEGORY_PRIORITY = {"negated": 0, "indication": 1, "uncertain": 2, "historical": 3, "alternative": 4}


class RuleError(ValueError):
    """A ConText rule row that cannot be used; the message names the row and the field."""


@dataclass(frozen=True, slots=True)
class ContextRule:
    phrase: str
    category: str
    direction: str = "forward"
    max_scope: int | None = None
    applies_to: tuple[str, ...] = ()

    @property
    def assertion(self) -> str | None:
        return CATEGORY_ASSERTION.get(self.category)


def rule_from_dict(row: dict, where: str = "rule") -> ContextRule:
    """One rule from its plain-data form; errors name `where` (e.g. "rule 12") and the bad field."""
    if not isinstance(row, dict):
        raise RuleError(f"{where}: expected a dict, got {type(row).__name__}")
    phrase = str(row.get("phrase") or "").strip().lower()
    if not phrase:
        raise RuleError(f"{where}: 'phrase' is empty")
    category = row.get("category")
    if category not in CATEGORIES:
        raise RuleError(f"{where} ({phrase!r}): 'category' must be one of {CATEGORIES}, got {category!r}")
    direction = row.get("direction") or "forward"
    if direction not in DIRECTIONS:
        raise RuleError(f"{where} ({phrase!r}): 'direction' must be one of {DIRECTIONS}, got {direction!r}")
    max_scope = row.get("max_scope")
    if max_scope is not None and (not isinstance(max_scope, int) or max_scope < 1):
        raise RuleError(f"{where} ({phrase!r}): 'max_scope' must be a positive integer or null, got {max_scope!r}")
    applies_to = tuple(row.get("applies_to") or ())
    bad = [c for c in applies_to if c not in CATEGORIES]
    if bad:
        raise RuleError(f"{where} ({phrase!r}): 'applies_to' has unknown categories {bad}")
    return ContextRule(phrase, category, direction, max_scope, applies_to)


def load_rules(rows) -> tuple[ContextRule, ...]:
    """Validate rule rows (dicts or ContextRule); a phrase may appear once, so its meaning is unambiguous."""
    rules: list[ContextRule] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(rows):
        rule = row if isinstance(row, ContextRule) else rule_from_dict(row, f"rule {i}")
        if rule.phrase in seen:
            raise RuleError(f"rule {i} ({rule.phrase!r}): phrase already defined by rule {seen[rule.phrase]}")
        seen[rule.phrase] = i
        rules.append(rule)
    return tuple(rules)


def rule_to_dict(rule: ContextRule) -> dict:
    return {
        "phrase": rule.phrase,
        "category": rule.category,
        "direction": rule.direction,
        "max_scope": rule.max_scope,
        "applies_to": list(rule.applies_to),
    }


def default_rules() -> tuple[ContextRule, ...]:
    from reports_nlp.context_rules import CONTEXT_RULES

    return load_rules(CONTEXT_RULES)
