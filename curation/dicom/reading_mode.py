"""pydicom's reading validation mode, made per thread.

pydicom keeps the mode on one process-wide `config.settings` object, and `config.strict_reading()` (which
`Dataset.to_json_dict(suppress_invalid_tags=True)` and de-identification's per-element JSON run inside) sets it
to RAISE and then restores what it found. Ingest runs in threads (the C-STORE listener's associations, a threaded
web worker, the store thread): two threads that interleave it see each other's RAISE, so a value pydicom would
only warn about fails an unrelated read, and the last to leave can restore RAISE for good. Every pydicom read
looks the mode up through `settings._reading_validation_mode`, so keeping that one attribute in a thread-local
gives each thread its own mode and leaves pydicom's code and defaults untouched.
"""

import threading

from pydicom import config


class _ThreadReadingMode(config.Settings):
    """`config.Settings` whose reading validation mode belongs to the thread that set it."""

    _local = threading.local()

    @property
    def _reading_validation_mode(self):
        return getattr(self._local, "mode", None)

    @_reading_validation_mode.setter
    def _reading_validation_mode(self, value):
        self._local.mode = value


def install() -> None:
    """Make `pydicom.config.settings`' reading mode per thread; a thread starts from pydicom's default (WARN)."""
    settings = config.settings
    if isinstance(settings, _ThreadReadingMode):
        return
    mode = settings.__dict__.pop("_reading_validation_mode", None)
    settings.__class__ = _ThreadReadingMode
    settings._reading_validation_mode = mode
