"""What a media file is, judged from its first bytes (never its name): the one detector for every path.

    detect(head)  → MediaType(kind="image"|"video", mime, extension), or Refused(code, reason in plain words)

The library's uploads (scheduler/media/inspect.py, which then decodes the file with Pillow or ffprobe), the archive's
downloads and imports (archive/services/files.py) and the CDN client (instagram/client/cdn.py, which aborts a
download whose first bytes are no media) all ask this module, so a file gets the same answer on every path.
It lives on the lowest floor (instagram/ imports no app) because the CDN client needs it too.

Magic numbers come from the `filetype` library; our own rules on top: HEIC/HEIF is refused (Pillow cannot decode it
here, see docs/media.md), any other ISO-BMFF brand is treated as MP4 and old QuickTime files without an `ftyp` box
as MOV (ffprobe decides whether they really play), programs are named as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import filetype

__all__ = ["ACCEPTED_NAMES", "EXTENSIONS", "HEAD_BYTES", "MediaType", "Refused", "detect", "extension_for"]

Kind = Literal["image", "video"]

# How many leading bytes `detect` wants: every signature we accept sits well inside (an ftyp box with its brands).
HEAD_BYTES = 512

# The one MIME → extension table for stored files (library originals, archive files, export names).
EXTENSIONS: dict[str, str] = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/avif": "avif",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
}
ACCEPTED_NAMES = "JPEG, PNG, WEBP, AVIF, MP4 or MOV"

# ISO-BMFF brands of HEIF stills and sequences that are not AVIF (HEVC-coded: iPhone photos).
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"mif2"}
# Old QuickTime files may start with one of these atoms instead of `ftyp`.
_QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"free"}


class Refused(Exception):
    """A file we do not accept: `code` for programs and tests, `str()` in words a social manager understands."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class MediaType:
    kind: Kind
    mime: str
    extension: str


def _of(mime: str) -> MediaType:
    return MediaType("image" if mime.startswith("image/") else "video", mime, EXTENSIONS[mime])


def _is_heif(head: bytes) -> bool:
    if head[4:8] != b"ftyp":
        return False
    size = int.from_bytes(head[:4], "big")
    brands = {head[8:12]} | {head[i:i + 4] for i in range(16, min(size, len(head)) - 3, 4)}
    return head[8:12] in _HEIF_BRANDS and not ({b"avif", b"avis"} & brands)


def detect(head: bytes) -> MediaType:
    """The type of a file from its first bytes (give at least HEAD_BYTES when the file has them)."""
    if not head:
        raise Refused("empty", "the file is empty.")
    if head[:2] == b"MZ" or head[:4] == b"\x7fELF" or head[:2] == b"#!":
        raise Refused("program", "this is a program, not a photo or video.")
    guess = filetype.guess(head[:HEAD_BYTES])
    if guess is not None and guess.mime in EXTENSIONS:
        return _of(guess.mime)
    if (guess is not None and guess.mime == "image/heic") or _is_heif(head):
        raise Refused("heic", "HEIC photos are not supported — export the photo as JPEG (on an iPhone: Settings → "
                              "Camera → Formats → Most Compatible) and try again.")
    if head[4:8] == b"ftyp":
        return _of("video/mp4")  # another MP4 brand (3GP, M4V, DASH…): ffprobe decides whether it plays
    if head[4:8] in _QUICKTIME_ATOMS:
        return _of("video/quicktime")
    raise Refused("unknown", f"this is not a {ACCEPTED_NAMES} file (whatever its name says).")


def extension_for(mime: str, default: str = "bin") -> str:
    return EXTENSIONS.get(mime, default)
