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


class StudyMismatch(InstanceRejected):
    """An instance sent to one study's STOW-RS URL that belongs to another study: refused and not kept.

    Not a bad file (it is not quarantined): the sender addressed it to the wrong study. `sop_uid` is the
    archive's (mapped) SOP Instance UID, so the response names the instance without original UIDs.
    """

    def __init__(self, message: str, *, sop_uid: str, sop_class_uid: str):
        super().__init__("study_mismatch", message, tag="StudyInstanceUID")
        self.sop_uid = sop_uid
        self.sop_class_uid = sop_class_uid
