"""The workbook stream of an Excel 97-2003 file, out of its compound-file container (MS-CFB), for measuring.

Only what extent.py needs to see the cell records calamine will lay out: the sector chains of the
FAT and the mini FAT, the directory, one stream by name. Every index and chain is bounded by the
file's own size, so a damaged container ends in ValueError, never in a loop or a large allocation.
"""

from __future__ import annotations

import struct

_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END = 0xFFFFFFFE
_FREE = 0xFFFFFFFF
_HEADER_DIFAT = 109
_ENTRY = 128


class _Container:
    def __init__(self, data: bytes) -> None:
        if len(data) < 512 or not data.startswith(_MAGIC):
            raise ValueError("not a compound file")
        self.data = data
        shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise ValueError("odd sector sizes")
        self.size: int = 1 << int(shift)
        self.mini_size: int = 1 << int(mini_shift)
        self.sectors = max(0, (len(data) - self.size) // self.size)
        fat_count, self.dir_start = struct.unpack_from("<LL", data, 0x2C)
        self.cutoff, self.minifat_start, _, difat_start, difat_count = struct.unpack_from("<LLLLL", data, 0x38)
        fat_sectors = [s for s in struct.unpack_from(f"<{_HEADER_DIFAT}L", data, 0x4C) if s < self.sectors]
        sector, per = difat_start, self.size // 4 - 1
        for _ in range(min(difat_count, self.sectors)):
            if sector >= self.sectors:
                break
            entries = struct.unpack_from(f"<{per + 1}L", data, self._offset(sector))
            fat_sectors.extend(s for s in entries[:per] if s < self.sectors)
            sector = entries[per]
        fat_sectors = fat_sectors[:max(fat_count, 0) or len(fat_sectors)]
        self.fat = [v for s in fat_sectors for v in struct.unpack_from(f"<{self.size // 4}L", data, self._offset(s))]

    def _offset(self, sector: int) -> int:
        return (sector + 1) * self.size

    def _chain(self, start: int, table: list[int], limit: int) -> list[int]:
        chain: list[int] = []
        seen: set[int] = set()
        sector = start
        while sector not in (_END, _FREE) and len(chain) < limit:
            if sector >= len(table) or sector in seen:
                raise ValueError("broken sector chain")
            seen.add(sector)
            chain.append(sector)
            sector = table[sector]
        return chain

    def _read(self, start: int, length: int | None = None) -> bytes:
        chain = self._chain(start, self.fat, self.sectors)
        out = b"".join(self.data[self._offset(s):self._offset(s) + self.size] for s in chain)
        return out if length is None else out[:length]

    def stream(self, names: tuple[str, ...]) -> bytes:
        directory = self._read(self.dir_start)
        entries = [directory[i:i + _ENTRY] for i in range(0, len(directory) - _ENTRY + 1, _ENTRY)]
        if not entries:
            raise ValueError("no directory")
        root_start, root_size = struct.unpack_from("<LQ", entries[0], 116)
        for entry in entries:
            length = min(struct.unpack_from("<H", entry, 64)[0], 64)
            name = entry[:max(length - 2, 0)].decode("utf-16-le", "replace")
            if entry[66] == 2 and name in names:
                start, size = struct.unpack_from("<LQ", entry, 116)
                size &= 0xFFFFFFFF
                if size >= self.cutoff:
                    return self._read(start, size)
                mini = self._read(root_start, root_size & 0xFFFFFFFF)
                minifat_raw = self._read(self.minifat_start) if self.minifat_start < self.sectors else b""
                minifat = list(struct.unpack_from(f"<{len(minifat_raw) // 4}L", minifat_raw))
                chain = self._chain(start, minifat, len(mini) // self.mini_size + 1)
                return b"".join(mini[s * self.mini_size:(s + 1) * self.mini_size] for s in chain)[:size]
        raise ValueError("no workbook stream")


def workbook_stream(data: bytes) -> bytes:
    """The Workbook (or Book) stream of an .xls; ValueError if the container is damaged."""
    try:
        return _Container(data).stream(("Workbook", "Book"))
    except struct.error as exc:
        raise ValueError(str(exc)) from None
