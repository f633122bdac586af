"""pydicom's reading validation mode is per thread: one ingest thread's strict reading never decides another's."""

import threading

import pytest
from pydicom import config
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.tag import Tag

# InstanceNumber (IS) holding a decimal: WARN reads it with a warning, RAISE refuses it.
_BAD_IS = RawDataElement(Tag(0x00200013), "IS", 4, b"1.5 ", 0, False, True)


def _read_bad_is():
    ds = Dataset()
    ds._dict[_BAD_IS.tag] = _BAD_IS
    return ds[_BAD_IS.tag].value


def test_a_thread_inside_strict_reading_leaves_other_threads_warning():
    inside, done = threading.Event(), threading.Event()

    def strict_thread():
        with config.strict_reading():
            inside.set()
            done.wait(10)

    t = threading.Thread(target=strict_thread)
    t.start()
    try:
        assert inside.wait(10)
        assert config.settings.reading_validation_mode == config.WARN
        with pytest.warns(UserWarning):
            assert float(_read_bad_is()) == 1.5
    finally:
        done.set()
        t.join()


def test_interleaved_strict_reading_leaves_no_thread_raising():
    """A enters, B enters (and sees A's RAISE when the mode is global), A leaves, B leaves: with one global mode
    B would restore RAISE for good."""
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    after = {}

    def a():
        with config.strict_reading():
            a_in.set()
            b_in.wait(10)
        a_out.set()
        after["a"] = config.settings.reading_validation_mode

    def b():
        a_in.wait(10)
        with config.strict_reading():
            b_in.set()
            a_out.wait(10)
        after["b"] = config.settings.reading_validation_mode

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert after == {"a": config.WARN, "b": config.WARN}
    assert config.settings.reading_validation_mode == config.WARN
    with pytest.raises(ValueError):
        with config.strict_reading():
            _read_bad_is()
