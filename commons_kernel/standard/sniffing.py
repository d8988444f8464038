"""What a file is, judged by its content (magic bytes), never by its name; and whether an archive is safe to open.

The kinds named here are those of the commons' own readers (csv, xlsx, zip, parquet) and of the files it does not
read, so a refusal can say what a file is; which kinds are read is up to the installed readers
(commons_kernel/standard/readers.py), and a reader of a kind not told apart here brings its own ``recognise``.

Archives (zip, and xlsx, which is a zip) are judged from their central directory before anything is
decompressed: too many members, too large when expanded, too well compressed (a "zip bomb"), nested archives,
encrypted members, links, or member names that are paths out of the archive. Members are then read with a cap,
so a central directory that lies about sizes cannot make the reader expand more than the limit.
"""

from __future__ import annotations

import io
import stat
import zipfile
from dataclasses import dataclass

ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")  # a zip container (zip, xlsx, docx, ...): checked before it is opened

# (magic bytes, kind, what to say). Checked in order, so longer signatures come before shorter ones.
SIGNATURES = [
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "xls", "an old-style Excel .xls workbook (or another Office 97 file)"),
    (b"SQLite format 3\x00", "sqlite", "an SQLite database"),
    (b"\xfd7zXZ\x00", "xz", "an xz-compressed file"),
    (b"7z\xbc\xaf\x27\x1c", "7z", "a 7-Zip archive"),
    (b"Rar!", "rar", "a RAR archive"),
    (b"PK\x03\x04", "zip", "a zip archive"),
    (b"PK\x05\x06", "zip", "an empty zip archive"),
    (b"PAR1", "parquet", "a Parquet file"),
    (b"ARROW1", "arrow", "an Arrow IPC file"),
    (b"%PDF", "pdf", "a PDF document"),
    (b"\x89PNG", "png", "a PNG image"),
    (b"\xff\xd8\xff", "jpeg", "a JPEG image"),
    (b"GIF8", "gif", "a GIF image"),
    (b"\x1f\x8b", "gzip", "a gzip-compressed file"),
    (b"BZh", "bzip2", "a bzip2-compressed file"),
    (b"\x7fELF", "executable", "a Linux program"),
    (b"MZ", "executable", "a Windows program"),
    (b"\xff\xfe", "utf-16", "text in UTF-16"),
    (b"\xfe\xff", "utf-16", "text in UTF-16"),
]

# A kind's words are those of its first signature (an empty zip is still described as "a zip archive").
DESCRIPTIONS = {kind: text for _, kind, text in reversed(SIGNATURES)} | {
    "csv": "CSV text",
    "xlsx": "an Excel .xlsx workbook",
    "ods": "an OpenDocument spreadsheet",
    "docx": "a Word document",
    "pptx": "a PowerPoint presentation",
    "html": "a web page (HTML)",
    "xml": "an XML document",
    "json": "a JSON document",
    "binary": "a binary file of an unknown kind",
}
ARCHIVE_SUFFIXES = (".zip", ".xlsx", ".gz", ".7z", ".rar", ".tar", ".bz2", ".xz", ".jar", ".ods", ".docx")


def describe(kind: str) -> str:
    return DESCRIPTIONS.get(kind, kind)


def sniff_file_type(data: bytes) -> str:
    """'csv', 'xlsx', 'zip', 'parquet', or the kind of another file ('pdf', 'xls', 'executable', ...); the kind an
    upload is read as is ``readers.kind_of``, which asks the installed readers' own ``recognise`` first."""
    for magic, kind, _ in SIGNATURES:
        if data.startswith(magic):
            return _zip_kind(data) if kind == "zip" and magic == b"PK\x03\x04" else kind
    head = data[:65536]
    if b"\x00" in head:
        return "binary"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<!doctype html", b"<html")):
        return "html"
    if stripped.startswith(b"<?xml") or stripped.startswith(b"<"):
        return "xml"
    if stripped.startswith((b"{", b"[")):
        return "json"
    return "csv"


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "word/document.xml" in names:
                return "docx"
            if "ppt/presentation.xml" in names:
                return "pptx"
            if "mimetype" in names and b"opendocument" in archive.read("mimetype")[:100]:
                return "ods"
    except (zipfile.BadZipFile, OSError, EOFError):
        return "zip"  # reported as a damaged archive when it is opened
    return "zip"


@dataclass
class ArchiveProblem:
    code: str
    message: str
    fix: str


def archive_problems(archive: zipfile.ZipFile, limits: dict, allow_nested: bool = False) -> list[ArchiveProblem]:
    """Everything unsafe about an archive, from its central directory alone (nothing is decompressed)."""
    problems = []
    members = archive.infolist()
    if len(members) > limits["max_archive_members"]:
        problems.append(
            ArchiveProblem(
                "archive-members",
                f"the archive holds {len(members)} files, more than the {limits['max_archive_members']} allowed",
                "upload fewer files at a time, one table per file",
            )
        )
    total = sum(member.file_size for member in members)
    if total > limits["max_uncompressed_bytes"]:
        problems.append(
            ArchiveProblem(
                "archive-too-large",
                f"the archive would expand to {total:,} bytes, more than the limit of "
                f"{limits['max_uncompressed_bytes']:,}",
                "split the data into smaller files",
            )
        )
    for member in members:
        name = member.filename
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > limits["ratio_checked_above_bytes"] and ratio > limits["max_compression_ratio"]:
            problems.append(
                ArchiveProblem(
                    "archive-ratio",
                    f"member `{name}` would expand {ratio:,.0f} times (to {member.file_size:,} bytes): "
                    "that is how a zip bomb looks",
                    "upload the table itself as CSV, or re-create the archive from it",
                )
            )
        if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/") or ":" in name.split("/")[0]:
            problems.append(
                ArchiveProblem(
                    "archive-path",
                    f"member `{name}` has a path that points outside the archive",
                    "re-create the archive with plain file names",
                )
            )
        if member.flag_bits & 0x1:
            problems.append(
                ArchiveProblem(
                    "archive-encrypted", f"member `{name}` is encrypted", "upload an archive without a password"
                )
            )
        if stat.S_ISLNK(member.external_attr >> 16):
            problems.append(
                ArchiveProblem(
                    "archive-link", f"member `{name}` is a symbolic link", "put the file itself in the archive"
                )
            )
        if not allow_nested and name.lower().endswith(ARCHIVE_SUFFIXES):
            problems.append(
                ArchiveProblem(
                    "archive-nested", f"member `{name}` is itself an archive", "upload the inner file directly"
                )
            )
    return problems


def read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, cap: int) -> bytes:
    """A member's bytes, refusing to expand past ``cap`` whatever the central directory claims."""
    chunks, size = [], 0
    with archive.open(member) as handle:
        while chunk := handle.read(1 << 20):
            size += len(chunk)
            if size > cap:
                raise ValueError(f"member `{member.filename}` expands past {cap:,} bytes")
            chunks.append(chunk)
    return b"".join(chunks)
