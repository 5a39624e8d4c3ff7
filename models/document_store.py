"""Document contents on disk, outside the database: one file per distinct content, named by its SHA-256.

Writes go to a temporary file in the same directory, are flushed to disk and then renamed into place, so a
reader (or a crash) never sees half a file, and the same content uploaded twice is stored once.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path

_HASH = re.compile(r"^[0-9a-f]{64}$")


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class DocumentStore:
    """A content-addressed directory: `<root>/<first two hex digits>/<hash>`."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, digest: str) -> Path:
        if not _HASH.match(digest):
            raise ValueError(f"not a SHA-256 hex digest: {digest!r}")
        return self.root / digest[:2] / digest

    def put(self, content: bytes) -> tuple[str, bool]:
        """Store the content; returns (hash, whether it was new). Existing content is never rewritten."""
        digest = sha256(content)
        target = self.path(digest)
        if target.exists():
            os.utime(target)  # fresh again: a purge of unreferenced files leaves an upload in progress alone
            return digest, False
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return digest, True

    def exists(self, digest: str) -> bool:
        return self.path(digest).exists()

    def read(self, digest: str) -> bytes | None:
        """The content, or None once it was purged."""
        try:
            return self.path(digest).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, digest: str) -> bool:
        try:
            self.path(digest).unlink()
        except FileNotFoundError:
            return False
        return True

    def delete_if_older(self, digest: str, cutoff: datetime) -> bool:
        """Delete unless written (or stored again) since `cutoff`: checked at the last moment."""
        path = self.path(digest)
        try:
            if path.stat().st_mtime >= cutoff.timestamp():
                return False
            path.unlink()
        except FileNotFoundError:
            return False
        return True

    def contents(self) -> list[tuple[str, float]]:
        """(hash, last modified as a POSIX timestamp) of every stored content."""
        if not self.root.exists():
            return []
        found = []
        for path in self.root.glob("*/*"):
            if _HASH.match(path.name) and path.parent.name == path.name[:2] and path.is_file():
                found.append((path.name, path.stat().st_mtime))
        return sorted(found)

    def leftovers(self) -> list[Path]:
        """Temporary files an interrupted write left behind (there should be none)."""
        if not self.root.exists():
            return []
        return sorted(self.root.glob("*/.incoming-*"))


def default_root(configured: Path | None, database_url: str) -> Path:
    """The configured directory; else `documents` beside the SQLite file; else in the working directory."""
    if configured is not None:
        return Path(configured)
    prefix = "sqlite:///"
    if database_url.startswith(prefix) and database_url != prefix + ":memory:":
        return Path(database_url.removeprefix(prefix)).resolve().parent / "documents"
    return Path.cwd() / "documents"
