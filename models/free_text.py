"""Text people type or name, before the bot stores or shows it: one rule for every free-text field.

Control characters and invisible format characters (Unicode direction overrides and isolates, zero-width
marks) are removed: they can hide or reorder what a reader sees (``cv\u202efdp.exe`` reads as ``cvexe.pdf``).
Every field has a length bound: the modal says it (``max_length``) and the server checks it again, since a
request can be forged; an over-long text is refused with a field error and nothing is stored.

Escaping for Slack's mrkdwn is the views' job (``bot.views.blocks.escape``), which applies ``clean`` too.
"""

from __future__ import annotations

import re
import unicodedata

# The bounds, one per kind of field (the database columns are at least this wide).
REASON = 1000  # a reviewer's reason to send something back, a refusal
NOTE = 2000  # notes and remarks, a problem report
LINE = 200  # one line: a name, a school's contact, an employer, a topic
FILENAME = 255

_BREAKS = {"\n", "\u2028", "\u2029", "\x85", "\r"}
_JOINERS = {"\u200c", "\u200d"}  # shape scripts and emoji; harmless
_SPACES = re.compile(r"[^\S\n]+")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,8}$")


def _kept(char: str, multiline: bool) -> str:
    if char in _BREAKS:
        return "\n" if multiline else " "
    if char == "\t":
        return " "
    if char in _JOINERS:
        return char
    return "" if unicodedata.category(char) in ("Cc", "Cf", "Cs") else char


def clean(text: str | None, *, multiline: bool = True) -> str:
    """Without control and invisible format characters, spaces collapsed, trimmed. Line breaks (CR LF, CR,
    Unicode separators) become one newline in multiline text, a space in a one-line one."""
    if not text:
        return ""
    normalised = str(text).replace("\r\n", "\n")
    kept = "".join(_kept(char, multiline) for char in normalised)
    lines = (_SPACES.sub(" ", line).strip() for line in kept.split("\n"))
    return "\n".join(lines).strip() if multiline else _SPACES.sub(" ", kept).strip()


def one_line(text: str | None) -> str:
    return clean(text, multiline=False)


def too_long(text: str, limit: int) -> bool:
    return len(text) > limit


def filename(name: str | None, limit: int = FILENAME) -> str:
    """A file's name as shown and stored: one clean line, no path separators, within `limit` (the extension
    kept)."""
    cleaned = one_line(name).replace("/", "_").replace("\\", "_")
    if len(cleaned) <= limit:
        return cleaned
    match = _EXTENSION.search(cleaned)
    extension = match.group(0) if match else ""
    return cleaned[: limit - len(extension)].rstrip() + extension


_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9 ._()+,-]")
_RUNS = re.compile(r"_+")


def ascii_filename(name: str, default: str) -> str:
    """An ASCII stand-in for a name (for clients that cannot read UTF-8 names): accents dropped, any other
    character an underscore; `default` when nothing readable is left."""
    decomposed = unicodedata.normalize("NFKD", filename(name))
    kept = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    safe = _RUNS.sub("_", _UNSAFE_ASCII.sub("_", kept)).strip(" .")
    stem = _EXTENSION.sub("", safe)
    return safe if any(c.isalnum() for c in stem) else default
