"""Speed of the local workspace page in headless Chromium: page load with a long conversation, and
click-to-result.

Run by hand from the repository root (see bench/README.md):

    PYTHONPATH=. python -m bench.workspace_page [--messages 500] [--loads 7] [--clicks 21]

It runs the bot, its scheduler and the workspace in this process (`bot.local.start_local`, what
`stagebot run` starts, on a fresh demo database), fills the coordinator's DM with `--messages` bot
messages shaped like the student checklist (13 blocks each), and drives the page in the browser harness
of the test suite (the `browser_page` fixture of tests/conftest.py: Debian's chromium, same flags), so the
figures are those of the browser tests. It is a pytest run of this file, never part of the test suite.

Measured inside the page (performance.now), so Playwright's own round trips are not counted:
- load: from navigation start until every message of the conversation is in the DOM;
- click: from the click on "Volgende ▶" / "◀ Vorige" (paging the cohort overview, which the bot
  answers by replacing the message through its response_url) until the new page shows.
Targets: load under 1 s, click under 300 ms (p50 and worst reported). Exit code 1 when missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

RESULTS = Path(__file__).parent / "results"
COORDINATOR = "U0DEMOCO01"
LOAD_TARGET_MS = 1000.0
CLICK_TARGET_MS = 300.0
OPTIONS = {"messages": 500, "loads": 7, "clicks": 21, "json": True}

# Resolves with the ms from the click on the button named `label` until the newest message shows `expected`.
CLICK_AND_WAIT = """
([label, expected]) => new Promise((resolve) => {
  const box = document.getElementById("conversation");
  const button = Array.from(box.querySelectorAll("button")).reverse().find((b) => b.textContent === label);
  const start = performance.now();
  const done = () => box.lastElementChild.textContent.includes(expected);
  const watch = new MutationObserver(() => {
    if (done()) { watch.disconnect(); resolve(performance.now() - start); }
  });
  watch.observe(box, { childList: true, subtree: true, characterData: true });
  button.click();
})
"""

LOADED = "(count) => document.querySelectorAll('[data-testid=message]').length >= count"


def checklist_blocks(n: int) -> list[dict[str, Any]]:
    """A message as heavy as the student checklist: a header, a context, eight sections, a divider..."""
    text = [{"type": "header", "text": {"type": "plain_text", "text": f"Herinnering {n}"}}]
    text.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"Voor <@{COORDINATOR}>"}]})
    for step in range(1, 9):
        line = f"⬜ *{step}. Stap {step}* · _nog niet begonnen_\nWat je nu kan doen: `/stage status`"
        text.append({"type": "section", "text": {"type": "mrkdwn", "text": line}})
    text.append({"type": "divider"})
    text.append({"type": "section", "text": {"type": "mrkdwn", "text": "📅 Volgende deadline: *intake*"}})
    text.append({"type": "context", "elements": [{"type": "mrkdwn", "text": "Je mag nog niet starten."}]})
    return text


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def test_workspace_page_speed(browser_page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect
    from slack_sdk import WebClient

    from bot.local import start_local
    from bot.settings import load_settings
    from models.people_csv import import_people

    local = start_local(load_settings(), demo_database=f"sqlite:///{tmp_path / 'bench.db'}", port=0)
    try:
        rows = [
            f"U0BENCH{n:03d},Bench Student {n:02d},student,Wiskunde,Informatica,U0DEMOSV01,U0DEMOSV01,"
            for n in range(14)
        ]
        header = "slack_id,name,roles,subject_x,subject_y,supervisor_x,supervisor_y,supervisor"
        with local.services.db.session() as session:
            import_people(session, "\n".join([header, *rows]) + "\n")
        bot = WebClient(token=local.services.settings.slack_bot_token, base_url=local.ws.api_url)
        started = time.perf_counter()
        for n in range(OPTIONS["messages"]):
            bot.chat_postMessage(channel=COORDINATOR, text=f"Herinnering {n}", blocks=checklist_blocks(n))
        fill_s = time.perf_counter() - started

        page = browser_page
        page.goto(local.url + "/")
        page.evaluate(f"localStorage.setItem('workspace-user', '{COORDINATOR}')")
        loads = []
        for _ in range(OPTIONS["loads"]):
            page.reload()
            page.wait_for_function(LOADED, arg=OPTIONS["messages"], polling="raf")
            loads.append(page.evaluate("performance.now()"))
        page.get_by_test_id("composer").fill("/stage status")
        page.get_by_test_id("send").click()
        expect(page.get_by_test_id("message").last).to_contain_text("Studenten 1 tot 20 van 26")
        clicks = []
        for i in range(OPTIONS["clicks"]):
            label, expected = ("Volgende ▶", "21 tot 26") if i % 2 == 0 else ("◀ Vorige", "1 tot 20")
            clicks.append(page.evaluate(CLICK_AND_WAIT, [label, expected]))
    finally:
        local.stop()

    result = {
        "date": date.today().isoformat(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "messages": OPTIONS["messages"],
        "fill_seconds": round(fill_s, 2),
        "load_ms": {"p50": statistics.median(loads), "max": max(loads), "all": loads},
        "click_ms": {"p50": statistics.median(clicks), "p90": percentile(clicks, 0.9), "max": max(clicks)},
        "load_average": os.getloadavg(),
    }
    print("\n" + json.dumps(result, indent=2))
    if OPTIONS["json"]:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"workspace_page-{result['date']}.json").write_text(json.dumps(result, indent=2))
    assert result["load_ms"]["p50"] < LOAD_TARGET_MS, "page load above target"
    assert result["click_ms"]["p50"] < CLICK_TARGET_MS, "click-to-result above target"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--loads", type=int, default=7)
    parser.add_argument("--clicks", type=int, default=21)
    parser.add_argument("--no-json", action="store_true")
    args = parser.parse_args()
    OPTIONS.update(messages=args.messages, loads=args.loads, clicks=args.clicks, json=not args.no_json)
    os.environ["STAGEBOT_BROWSER_REQUIRED"] = "1"  # a benchmark without a browser measures nothing
    return int(pytest.main([__file__, "-p", "tests.conftest", "-p", "no:cacheprovider", "-q", "-s"]))


if __name__ == "__main__":
    sys.exit(main())
