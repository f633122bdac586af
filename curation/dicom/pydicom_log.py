"""pydicom's warnings about header values, without the values.

pydicom warns about an invalid value by quoting it ("Invalid value for VR DA: '1947-03-12'."), and it says each
warning twice: to its "pydicom" logger and as a UserWarning, which Django routes to the "py.warnings" logger. A
header value can be a birth date, a name or an accession number, and PHI must never reach a log. So the logger's
lines keep their kind with the value left out, and the UserWarning copies, which would print the value again,
are not shown.
"""

import logging
import warnings

from core.log_safe import QuotedValuesLeftOut


def install() -> None:
    logger = logging.getLogger("pydicom")
    if not any(isinstance(f, QuotedValuesLeftOut) for f in logger.filters):
        logger.addFilter(QuotedValuesLeftOut())
    # A warning is attributed to the pydicom module that called its warn_and_log.
    warnings.filterwarnings("ignore", category=UserWarning, module=r"pydicom(\.|$)")
