"""`stagebot purge` as an administrator runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main


def test_purge_reports_what_it_deletes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("STAGEBOT_DOCUMENTS_DIR", str(tmp_path / "docs"))
    monkeypatch.chdir(tmp_path)
    assert main(["purge", "--dry-run"]) == 0
    assert "0 document version(s) would be purged (0 file(s))." in capsys.readouterr().out
    assert main(["purge"]) == 0
    assert "0 document version(s) purged; 0 file(s) deleted." in capsys.readouterr().out
