"""`/stage upload` (opladen): a student opens the modal to upload a step-2 document."""

from __future__ import annotations

from bot.views.blocks import section
from handlers.commands.registry import Invocation, Reply, reply
from handlers.documents import open_upload_modal


def run(invocation: Invocation) -> Reply:
    scope = invocation.scope
    if not invocation.trigger_id:
        text = scope.t("documents.upload_in_dm")
        return reply([section(text)], text)
    open_upload_modal(scope, invocation.client, invocation.trigger_id)
    return {}
