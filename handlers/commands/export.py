"""`/stage export [csv]` (exporteren): the cohort as a workbook (or CSV files in a zip), built after the
answer and sent in the asker's DM; the coordinator and admin only."""

from __future__ import annotations

from bot.flows import export as export_flow
from bot.views.blocks import section
from handlers.commands.registry import Invocation, Reply, reply
from models.access import runs_the_cohort

CSV_WORDS = ("csv",)
XLSX_WORDS = ("", "xlsx", "excel")


def run(invocation: Invocation) -> Reply:
    scope = invocation.scope
    word = invocation.args.strip().lower()
    if not runs_the_cohort(scope.actor):
        text = scope.t("export.not_allowed")
        return reply([section(text)], text)
    if word not in CSV_WORDS + XLSX_WORDS:
        text = scope.t("export.usage")
        return reply([section(text)], text)
    export_flow.start(scope, invocation.client, fmt="csv" if word in CSV_WORDS else "xlsx")
    text = scope.t("export.started")
    return reply([section(text)], text)
