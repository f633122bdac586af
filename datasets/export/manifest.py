"""manifest.json: the file list with SHA-256 of every file, the content hash, and verification."""

import hashlib
import json
import os
from pathlib import Path

FORMAT = "radcurate-dataset/1"
MANIFEST = "manifest.json"


def file_sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def list_files(root: Path) -> list[dict]:
    """Every file under `root` except the manifest, as {"path", "bytes", "sha256"}, sorted by path."""
    entries = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        if relative == MANIFEST:
            continue
        entries.append({"path": relative, "bytes": path.stat().st_size, "sha256": file_sha256(path)})
    return entries


def content_hash(files: list[dict]) -> str:
    """SHA-256 over the sorted `path:sha256` lines: names and bytes of the data, nothing else."""
    lines = sorted(f"{f['path']}:{f['sha256']}\n" for f in files)
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def write_manifest(root: Path, manifest: dict) -> Path:
    path = root / MANIFEST
    with open(path, "w") as handle:
        json.dump(manifest, handle, indent=2, sort_keys=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    return path


def read_manifest(root: Path) -> dict:
    return json.loads((root / MANIFEST).read_text())


def verify(root: Path, manifest: dict) -> list[str]:
    """Problems found comparing the directory with its manifest (empty when it is intact)."""
    problems = []
    listed = {f["path"]: f for f in manifest.get("files", [])}
    present = {f["path"]: f for f in list_files(root)}
    for path in sorted(set(listed) - set(present)):
        problems.append(f"{root / path}: listed in {MANIFEST} but missing")
    for path in sorted(set(present) - set(listed)):
        problems.append(f"{root / path}: present but not listed in {MANIFEST}")
    for path in sorted(set(listed) & set(present)):
        want, got = listed[path], present[path]
        if (want["sha256"], want["bytes"]) != (got["sha256"], got["bytes"]):
            problems.append(f"{root / path}: SHA-256 {got['sha256'][:12]} differs from manifest {want['sha256'][:12]}")
    if manifest.get("content_hash") != content_hash(manifest.get("files", [])):
        problems.append(f"{root / MANIFEST}: content_hash does not match its file list")
    return problems
