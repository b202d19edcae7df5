"""A cache folder's manifest: what the folder was made from and a checksum of each file, written last.

A folder is used only while its manifest names the same source and every file still has its size and checksum;
anything else (a missing manifest, an interrupted write, a flipped byte, another source) reads as "rebuild".
CRC-32 finds damage, not tampering: whoever can write the data folder can rewrite the index itself.
"""

from __future__ import annotations

import json
import logging
import os
import zlib
from pathlib import Path

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
_BLOCK = 1 << 22


def checksum(path: Path) -> str:
    """`size:crc32` of a file, read in blocks."""
    crc, size = 0, 0
    with path.open("rb") as file:
        while block := file.read(_BLOCK):
            crc = zlib.crc32(block, crc)
            size += len(block)
    return f"{size}:{crc:08x}"


def write(folder: Path, key: dict, files: list[str], notes: dict | None = None) -> None:
    """Write the manifest of `files` (paths relative to `folder`) under `key`; call once every file is written.

    `notes` are kept for people reading the folder and never compared.
    """
    manifest = {"key": key, "files": {name: checksum(folder / name) for name in files}, "notes": notes or {}}
    temporary = folder / f".{MANIFEST}.{os.getpid()}.tmp"
    temporary.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(temporary, folder / MANIFEST)


def matches(folder: Path, key: dict) -> bool:
    """Whether `folder` holds a whole, undamaged set of files made under `key`; logs the reason when not."""
    path = folder / MANIFEST
    if not path.exists():
        return False
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest.get("key") != json.loads(json.dumps(key)):  # compared as JSON reads it back
            log.info("%s was made from another source; it will be rebuilt", folder)
            return False
        for name, expected in manifest["files"].items():
            if checksum(folder / name) != expected:
                log.warning("%s is damaged (%s differs from its checksum); it will be rebuilt", folder, name)
                return False
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        log.warning("%s cannot be read (%s); it will be rebuilt", folder, err)
        return False
    return True
