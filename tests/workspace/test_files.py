"""Uploaded files: events, files.info, and downloads that only the bot token may make."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from ws_helpers import STUDENT, SUPERVISOR, TOKEN, FakeBot

from workspace import Workspace

PDF = b"%PDF-1.4 uittreksel strafregister"


def download(url: str, token: str | None) -> tuple[int, bytes, str]:
    request = urllib.request.Request(url)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read(), response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        return exc.code, b"", ""


def test_upload_sends_file_shared_and_file_share_message(ws: Workspace, bot: FakeBot) -> None:
    file = ws.upload_file(STUDENT, "strafregister.pdf", PDF, "application/pdf")
    assert file["id"].startswith("F") and file["size"] == len(PDF) and file["user"] == STUDENT
    shared, message = (r.payload["event"] for r in bot.received)
    assert shared["type"] == "file_shared" and shared["file_id"] == file["id"]
    assert shared["user_id"] == STUDENT and shared["channel_id"] == ws.dm_channel(STUDENT)
    assert message["type"] == "message" and message["subtype"] == "file_share"
    assert message["files"][0]["id"] == file["id"] and message["channel_type"] == "im"
    (stored,) = ws.messages(ws.dm_channel(STUDENT))
    assert stored.files[0]["name"] == "strafregister.pdf"


def test_files_info_and_download_with_the_bot_token(ws: Workspace, client: WebClient) -> None:
    file_id = ws.upload_file(STUDENT, "strafregister.pdf", PDF, "application/pdf")["id"]
    info = client.files_info(file=file_id)["file"]
    assert info["name"] == "strafregister.pdf" and info["mimetype"] == "application/pdf"
    assert info["url_private"].startswith(ws.url + "/files/")
    for url in (info["url_private"], info["url_private_download"]):
        status, content, content_type = download(url, TOKEN)
        assert (status, content) == (200, PDF) and content_type.startswith("application/pdf")
    downloads = ws.calls("file_download")
    assert [c.ok for c in downloads] == [True, True]
    with pytest.raises(SlackApiError) as failure:
        client.files_info(file="F0MISSING")
    assert failure.value.response["error"] == "file_not_found"


def test_download_without_the_bot_token_is_forbidden(ws: Workspace) -> None:
    url = ws.upload_file(STUDENT, "cv.pdf", PDF, "application/pdf")["url_private"]
    assert download(url, None)[0] == 403
    assert download(url, "xoxb-someone-else")[0] == 403
    assert [c.error for c in ws.calls("file_download")] == ["not_authed", "invalid_auth"]
    assert download(url.replace("cv.pdf", "other.pdf"), TOKEN)[0] == 404


def test_a_person_downloads_a_file_the_bot_shared_in_their_dm_and_nobody_else_can(
    ws: Workspace, client: WebClient
) -> None:
    """The page links each shared file; it comes as a download (the bot's .ics, .xlsx), not as text."""
    import json

    invite = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    client.files_upload_v2(
        channel=ws.dm_channel(STUDENT), content=invite, filename="intakegesprek.ics", title="Intake"
    )
    with urllib.request.urlopen(ws.url + f"/ui/state?user={STUDENT}", timeout=5) as response:
        (shared,) = [f for m in json.loads(response.read())["conversation"] for f in m["files"]]
    assert shared["name"] == "intakegesprek.ics" and shared["url"].startswith("/ui/file/")
    with urllib.request.urlopen(ws.url + shared["url"] + f"?user={STUDENT}", timeout=5) as response:
        assert response.read() == invite
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert "intakegesprek.ics" in response.headers["Content-Disposition"]
    for who in (SUPERVISOR, ""):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(ws.url + shared["url"] + f"?user={who}", timeout=5)
        assert refused.value.code == 404
