"""What a file really is, judged from its bytes (never its name), and whether it opens.

PDF: the `%PDF-` signature, then pypdf must read it, it must not be encrypted and have a page.
PNG and JPEG: the signature, then a walk over the chunks / markers, so a truncated or corrupt image
is refused without decoding its pixels.
"""

from __future__ import annotations

import io
import logging
import struct
import zlib
from dataclasses import dataclass
from enum import StrEnum

from pypdf import PdfReader
from pypdf.errors import PyPdfError

logging.getLogger("pypdf").setLevel(logging.ERROR)  # a broken upload is our user's problem, not a log line


class FileKind(StrEnum):
    PDF = "pdf"
    JPEG = "jpeg"
    PNG = "png"


class Refusal(StrEnum):
    """Why a file is not accepted; each has a message key `documents.refused.<value>`."""

    EMPTY = "empty"
    TOO_LARGE = "too_large"
    UNKNOWN_TYPE = "unknown_type"
    NOT_ACCEPTED = "not_accepted"
    CORRUPT = "corrupt"
    ENCRYPTED = "encrypted"


@dataclass(frozen=True)
class CheckResult:
    kind: FileKind | None
    refusal: Refusal | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def detect(content: bytes) -> FileKind | None:
    """The file's type from its first bytes."""
    if content.startswith(b"%PDF-") or content[:1024].lstrip().startswith(b"%PDF-"):
        return FileKind.PDF
    if content.startswith(PNG_SIGNATURE):
        return FileKind.PNG
    if content.startswith(b"\xff\xd8\xff"):
        return FileKind.JPEG
    return None


def check(content: bytes, accepted: frozenset[FileKind], max_bytes: int) -> CheckResult:
    """Empty, too large, an unknown or unaccepted type, corrupt, encrypted: or fine."""
    if not content:
        return CheckResult(None, Refusal.EMPTY)
    if len(content) > max_bytes:
        return CheckResult(None, Refusal.TOO_LARGE)
    kind = detect(content)
    if kind is None:
        return CheckResult(None, Refusal.UNKNOWN_TYPE)
    if kind not in accepted:
        return CheckResult(kind, Refusal.NOT_ACCEPTED)
    opener = {FileKind.PDF: _pdf_problem, FileKind.PNG: _png_problem, FileKind.JPEG: _jpeg_problem}[kind]
    return CheckResult(kind, opener(content))


def _pdf_problem(content: bytes) -> Refusal | None:
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            return Refusal.ENCRYPTED
        if len(reader.pages) < 1:
            return Refusal.CORRUPT
        reader.pages[0].mediabox  # noqa: B018  (the first page must be readable)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError):
        return Refusal.CORRUPT
    except RecursionError:
        return Refusal.CORRUPT
    return None


def _png_problem(content: bytes) -> Refusal | None:
    """Every chunk complete with a correct CRC, IHDR first with a non-zero size, IEND last."""
    position, first, seen_end = len(PNG_SIGNATURE), True, False
    while position + 12 <= len(content):
        (length,) = struct.unpack(">I", content[position : position + 4])
        kind = content[position + 4 : position + 8]
        data_end = position + 8 + length
        if data_end + 4 > len(content):
            return Refusal.CORRUPT
        data = content[position + 8 : data_end]
        (crc,) = struct.unpack(">I", content[data_end : data_end + 4])
        if zlib.crc32(kind + data) & 0xFFFFFFFF != crc:
            return Refusal.CORRUPT
        if first:
            if kind != b"IHDR" or length != 13:
                return Refusal.CORRUPT
            width, height = struct.unpack(">II", data[:8])
            if width == 0 or height == 0:
                return Refusal.CORRUPT
            first = False
        if kind == b"IEND":
            seen_end = True
            break
        position = data_end + 4
    return None if seen_end else Refusal.CORRUPT


_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def _jpeg_problem(content: bytes) -> Refusal | None:
    """Segments from SOI up to the scan, a frame header with a size, and the EOI marker at the end."""
    position, has_frame = 2, False
    while position + 4 <= len(content):
        if content[position] != 0xFF:
            return Refusal.CORRUPT
        marker = content[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        (length,) = struct.unpack(">H", content[position + 2 : position + 4])
        if length < 2 or position + 2 + length > len(content):
            return Refusal.CORRUPT
        if marker in _SOF_MARKERS:
            if length < 8:
                return Refusal.CORRUPT
            height, width = struct.unpack(">HH", content[position + 5 : position + 9])
            has_frame = width > 0 and height > 0
        if marker == 0xDA:  # start of scan: the entropy-coded data follows
            ends_well = content.rstrip(b"\x00").endswith(b"\xff\xd9")
            return None if has_frame and ends_well else Refusal.CORRUPT
        position += 2 + length
    return Refusal.CORRUPT
