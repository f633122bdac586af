"""The archive guard (core.archives): limits from the central directory, again on the streamed bytes, and names
checked before anything is extracted."""

import io
import os
import stat
import tarfile
import zipfile

import pytest

from core.archives import (
    ArchiveRefused,
    ZipLimits,
    check_member_name,
    check_tar,
    check_zip,
    extract_zip,
    iter_member_chunks,
    read_member,
)
from tests.zip_bombs import BOMB_BYTES, lying_zip, peak_python_memory, tar_bomb, zip_bomb

DEFAULTS = ZipLimits(max_member_bytes=1 << 30, max_total_bytes=20 << 30, max_members=100_000, max_ratio=200)


def test_limits_come_from_settings(settings):
    settings.RADCURATE_ZIP_MAX_MEMBERS = 7
    limits = ZipLimits.from_settings()
    assert limits.max_members == 7 and limits.max_member_bytes == settings.RADCURATE_ZIP_MAX_MEMBER_BYTES


def test_a_zip_bomb_is_refused_from_its_central_directory(tmp_path):
    bomb = zip_bomb(tmp_path / "bomb.zip")
    assert os.path.getsize(bomb) < BOMB_BYTES / 500
    with zipfile.ZipFile(bomb) as zf, pytest.raises(ArchiveRefused) as refused:
        check_zip(zf, DEFAULTS, label="bomb.zip")
    assert refused.value.member == "zeros.bin" and refused.value.limit == "RADCURATE_ZIP_MAX_RATIO"
    assert "bomb.zip: member 'zeros.bin' expands" in str(refused.value) and "200:1" in str(refused.value)


def test_a_member_that_lies_about_its_size_stops_at_the_declared_size(tmp_path):
    liar = lying_zip(tmp_path / "liar.zip", declared=1000)
    with zipfile.ZipFile(liar) as zf:
        check_zip(zf, DEFAULTS, label="liar.zip")  # the directory alone looks harmless
        with peak_python_memory() as memory, pytest.raises(ArchiveRefused) as refused:
            read_member(zf, zf.getinfo("zeros.bin"), DEFAULTS, label="liar.zip")
    assert "member 'zeros.bin' holds more than the 1,000 bytes its central directory declares" in str(refused.value)
    assert memory["peak"] < BOMB_BYTES / 20


def test_streamed_bytes_stop_at_the_member_limit_even_unchecked(tmp_path):
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("big.bin", os.urandom(3 << 20))
    small = ZipLimits(max_member_bytes=2 << 20, max_total_bytes=1 << 30, max_members=10, max_ratio=200)
    with zipfile.ZipFile(path) as zf:
        with pytest.raises(ArchiveRefused, match="RADCURATE_ZIP_MAX_MEMBER_BYTES") as refused:
            check_zip(zf, small, label="big.zip")
        assert refused.value.member == "big.bin"
        read = 0
        with pytest.raises(ArchiveRefused, match="member 'big.bin' is 2,"):
            for chunk in iter_member_chunks(zf, zf.getinfo("big.bin"), small, label="big.zip", chunk_bytes=1 << 16):
                read += len(chunk)
        assert read <= small.max_member_bytes


@pytest.mark.parametrize("limits, member, limit", [
    (ZipLimits(max_member_bytes=1 << 30, max_total_bytes=1 << 30, max_members=5, max_ratio=200),
     "f5.txt", "RADCURATE_ZIP_MAX_MEMBERS"),
    (ZipLimits(max_member_bytes=1 << 30, max_total_bytes=2500, max_members=100, max_ratio=200),
     "f2.txt", "RADCURATE_ZIP_MAX_TOTAL_BYTES"),
])
def test_count_and_total_are_checked(tmp_path, limits, member, limit):
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(8):
            zf.writestr(f"f{i}.txt", os.urandom(1000))
    with zipfile.ZipFile(path) as zf, pytest.raises(ArchiveRefused) as refused:
        check_zip(zf, limits, label="many.zip")
    assert (refused.value.member, refused.value.limit) == (member, limit)
    assert f"member '{member}'" in str(refused.value) and limit in str(refused.value)


def test_an_honest_zip_reads_back_whole(tmp_path):
    path = tmp_path / "ok.zip"
    payload = os.urandom(3 << 20) + bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("dir/a.bin", payload)
    with zipfile.ZipFile(path) as zf:
        infos = check_zip(zf, DEFAULTS)
        assert read_member(zf, infos[0], DEFAULTS) == payload


@pytest.mark.parametrize("name", ["../x", "a/../../x", "/etc/x", "\\x", "C:/x", "a\\..\\x"])
def test_unsafe_names_are_refused(name):
    with pytest.raises(ArchiveRefused, match="would be written outside"):
        check_member_name(name)


def _symlink(zf: zipfile.ZipFile, name: str, target: str) -> None:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    zf.writestr(info, target)


@pytest.mark.parametrize("bad", ["../escaped.txt", "link"])
def test_extraction_writes_nothing_when_a_member_is_unsafe(tmp_path, bad):
    path = tmp_path / "run.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("run/report.json", "{}")
        if bad == "link":
            _symlink(zf, "run/link", "/etc/passwd")
        else:
            zf.writestr(bad, "outside")
    dest = tmp_path / "out" / "run"
    with zipfile.ZipFile(path) as zf, pytest.raises(ArchiveRefused) as refused:
        extract_zip(zf, dest, DEFAULTS, label="run.zip")
    assert refused.value.member in (bad, "run/link")
    assert not (tmp_path / "out").exists() and not (tmp_path / "escaped.txt").exists()


def test_a_tar_bomb_is_refused_at_its_header(tmp_path):
    bomb = tar_bomb(tmp_path / "bomb.tar.gz")
    with tarfile.open(bomb) as tf, pytest.raises(ArchiveRefused) as refused:
        check_tar(tf, DEFAULTS, label="bomb.tar.gz", compressed_bytes=os.path.getsize(bomb))
    assert refused.value.member == "run/zeros.bin" and refused.value.limit == "RADCURATE_ZIP_MAX_RATIO"


def test_tar_links_are_refused(tmp_path):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tf:
        link = tarfile.TarInfo("run/link")
        link.type, link.linkname = tarfile.SYMTYPE, "../../etc/passwd"
        tf.addfile(link)
    buffer.seek(0)
    with tarfile.open(fileobj=buffer) as tf, pytest.raises(ArchiveRefused, match="'run/link' is a link"):
        check_tar(tf, DEFAULTS, compressed_bytes=len(buffer.getvalue()))


def test_a_damaged_member_is_refused(tmp_path):
    path = tmp_path / "damaged.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("a.bin", b"A" * 5000)
    data = bytearray(path.read_bytes())
    data[data.index(b"A" * 100) + 50] = ord("B")  # one byte of the stored data changes; the CRC no longer matches
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as zf, pytest.raises(ArchiveRefused, match="member 'a.bin' is damaged") as refused:
        read_member(zf, zf.getinfo("a.bin"), DEFAULTS, label="damaged.zip")
    assert refused.value.limit == ""
