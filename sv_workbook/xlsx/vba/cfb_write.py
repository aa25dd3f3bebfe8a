"""Write a Compound File Binary (MS-CFB, version 3) holding one level of storages and streams.

A ``vbaProject.bin`` is such a file. olefile and oletools only read it, and the PyPI
writers tried (``ms-cfb``) write scratch files into the working directory, so this is a
small writer of our own for what a VBA project needs: the root, storages one level down,
streams in either. It is proved by reading its output back with olefile (tests/xlsx).

Layout: header, FAT sectors, directory sectors, mini FAT sectors, the mini stream, then each
large stream, every chain contiguous. Streams under 4096 bytes live in the mini stream, as
the format requires. Sibling entries form a balanced binary search tree in the format's
order (shorter names first, then by upper-cased UTF-16); the deepest level is red and
the rest black, which is a valid red-black tree.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREE, END_OF_CHAIN, FAT_SECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NO_STREAM = 0xFFFFFFFF
STORAGE, STREAM, ROOT = 1, 2, 5
RED, BLACK = 0, 1


@dataclass
class Storage:
    """A storage (folder) entry: streams by name (bytes) and child storages."""

    name: str
    streams: dict[str, bytes] = field(default_factory=dict)
    storages: list["Storage"] = field(default_factory=list)


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: list["_Entry"] = field(default_factory=list)
    left: int = NO_STREAM
    right: int = NO_STREAM
    child: int = NO_STREAM
    color: int = BLACK
    start: int = END_OF_CHAIN
    size: int = 0


def write_cfb(root: Storage) -> bytes:
    """The bytes of a compound file whose root storage is ``root`` (its name is ignored)."""
    entries: list[_Entry] = []
    top = _flatten(root, ROOT, entries)
    for entry in entries:
        if entry.children:
            entry.child = _tree(entry.children, entries, 0, _depth(len(entry.children)))
    small = [e for e in entries if e.kind == STREAM and len(e.data) < MINI_CUTOFF]
    large = [e for e in entries if e.kind == STREAM and len(e.data) >= MINI_CUTOFF]

    mini_stream = bytearray()
    mini_fat: list[int] = []
    for e in small:
        e.size = len(e.data)
        if not e.data:
            e.start = END_OF_CHAIN
            continue
        n = _count(len(e.data), MINI_SECTOR)
        e.start = len(mini_fat)
        mini_fat.extend(range(e.start + 1, e.start + n))
        mini_fat.append(END_OF_CHAIN)
        mini_stream += e.data.ljust(n * MINI_SECTOR, b"\0")

    dir_sectors = _count(len(entries) * 128, SECTOR)
    minifat_sectors = _count(len(mini_fat) * 4, SECTOR)
    ministream_sectors = _count(len(mini_stream), SECTOR)
    large_sectors = [_count(len(e.data), SECTOR) for e in large]
    content = dir_sectors + minifat_sectors + ministream_sectors + sum(large_sectors)
    fat_sectors = 1
    while fat_sectors * (SECTOR // 4) < content + fat_sectors:
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("compound file too large for this writer (more than 109 FAT sectors)")

    fat: list[int] = [FAT_SECT] * fat_sectors
    chains: list[tuple[int, int]] = []  # (first sector, sector count) in layout order

    def chain(n: int) -> int:
        if n == 0:
            return END_OF_CHAIN
        first = len(fat)
        fat.extend(range(first + 1, first + n))
        fat.append(END_OF_CHAIN)
        chains.append((first, n))
        return first

    first_dir = chain(dir_sectors)
    first_minifat = chain(minifat_sectors)
    top.start, top.size = chain(ministream_sectors), len(mini_stream)
    for e, n in zip(large, large_sectors):
        e.start, e.size = chain(n), len(e.data)
    fat.extend([FREE] * (fat_sectors * (SECTOR // 4) - len(fat)))

    header = bytearray(SECTOR)
    struct.pack_into("<8s16sHHHHH6sIIIIIIIII", header, 0, bytes.fromhex("D0CF11E0A1B11AE1"), b"\0" * 16,
                     0x003E, 0x0003, 0xFFFE, 9, 6, b"\0" * 6, 0, fat_sectors, first_dir, 0, MINI_CUTOFF,
                     first_minifat if minifat_sectors else END_OF_CHAIN, minifat_sectors, END_OF_CHAIN, 0)
    difat = list(range(fat_sectors)) + [FREE] * (109 - fat_sectors)
    struct.pack_into("<109I", header, 76, *difat)

    out = bytearray(header)
    out += struct.pack(f"<{len(fat)}I", *fat)
    out += b"".join(_dir_entry(e) for e in entries).ljust(dir_sectors * SECTOR, b"\0")
    out += struct.pack(f"<{len(mini_fat)}I", *mini_fat).ljust(minifat_sectors * SECTOR, b"\xff")
    out += bytes(mini_stream).ljust(ministream_sectors * SECTOR, b"\0")
    for e, n in zip(large, large_sectors):
        out += e.data.ljust(n * SECTOR, b"\0")
    return bytes(out)


def _flatten(storage: Storage, kind: int, entries: list[_Entry]) -> _Entry:
    entry = _Entry("Root Entry" if kind == ROOT else storage.name, kind)
    entries.append(entry)
    for name, data in storage.streams.items():
        child = _Entry(name, STREAM, bytes(data))
        entries.append(child)
        entry.children.append(child)
    for sub in storage.storages:
        entry.children.append(_flatten(sub, STORAGE, entries))
    names = [_key(c.name) for c in entry.children]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate names in storage {entry.name!r}")
    entry.children.sort(key=lambda c: _key(c.name))
    return entry


def _key(name: str) -> tuple[int, str]:
    """MS-CFB 2.6.4: compare by UTF-16 length first, then by the upper-cased names."""
    if len(name) > 31 or any(c in name for c in "/\\:!"):
        raise ValueError(f"not a valid compound file entry name: {name!r}")
    return len(name.encode("utf-16-le")), name.upper()


def _depth(n: int) -> int:
    return max(0, math.ceil(math.log2(n + 1)) - 1)


def _tree(siblings: list[_Entry], entries: list[_Entry], depth: int, deepest: int) -> int:
    """Root id of a balanced tree of the sorted ``siblings``; nodes on the deepest level are red."""
    if not siblings:
        return NO_STREAM
    mid = len(siblings) // 2
    node = siblings[mid]
    node.color = RED if 0 < depth == deepest else BLACK
    node.left = _tree(siblings[:mid], entries, depth + 1, deepest)
    node.right = _tree(siblings[mid + 1:], entries, depth + 1, deepest)
    return next(i for i, e in enumerate(entries) if e is node)


def _count(size: int, unit: int) -> int:
    return -(-size // unit)


def _dir_entry(e: _Entry) -> bytes:
    name = (e.name + "\0").encode("utf-16-le")
    return struct.pack("<64sHBBIII16sIQQIQ", name, len(name), e.kind, e.color, e.left, e.right, e.child,
                       b"\0" * 16, 0, 0, 0, e.start if (e.kind != STORAGE) else 0, e.size)


__all__ = ["Storage", "write_cfb"]
