"""The Slack manifest and app.json describe the app the code builds."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from bot.settings import Settings
from handlers.commands import COMMAND

ROOT = Path(__file__).parent.parent


def test_the_manifest_declares_the_command_events_and_scopes_the_bot_uses() -> None:
    manifest = yaml.safe_load((ROOT / "deploy" / "slack-app-manifest.yaml").read_text(encoding="utf-8"))
    features, settings = manifest["features"], manifest["settings"]
    assert [c["command"] for c in features["slash_commands"]] == [COMMAND]
    assert features["app_home"]["home_tab_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert {"app_home_opened", "message.im", "file_shared"} <= set(
        settings["event_subscriptions"]["bot_events"]
    )
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {
        "commands",
        "chat:write",
        "im:write",
        "im:history",
        "users:read",
        "files:read",
        "files:write",
    } <= scopes


def test_app_json_names_every_setting_and_both_processes() -> None:
    app = json.loads((ROOT / "app.json").read_text(encoding="utf-8"))
    aliases = {
        str(choice).upper()
        for field in Settings.model_fields.values()
        for choice in getattr(field.validation_alias, "choices", [])
    }
    documented = set(app["env"])
    assert {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "DATABASE_URL", "STAGEBOT_CHANNEL"} <= documented
    assert documented == aliases - {"PORT"}, documented ^ (aliases - {"PORT"})  # the platform sets PORT
    assert set(app["formation"]) == {"web", "scheduler"}
    procfile = (ROOT / "Procfile").read_text(encoding="utf-8")
    assert "web: stagebot serve" in procfile and "scheduler: stagebot scheduler" in procfile
