"""The one error every pipeline step raises for a bad instance: a rule, the tag, and a message naming both."""


class InstanceRejected(Exception):
    """An instance that cannot enter the archive; the batch goes on without it.

    `rule` is a short code curators filter on (e.g. "missing_tag"); `tag` names the attribute at fault when
    there is one; `message` is a sentence that names the file, the tag and the rule. Messages never quote
    attribute values, so a rejection can be shown to curators without leaking PHI.
    """

    def __init__(self, rule: str, message: str, *, tag: str = ""):
        super().__init__(message)
        self.rule = rule
        self.tag = tag
        self.message = message

    def __str__(self) -> str:
        return self.message
