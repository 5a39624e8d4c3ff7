"""A long list shown a page at a time: 'first–last of total' and previous/next buttons whose value is the
offset of the page they open (the listener renders that page again for whoever clicked)."""

from __future__ import annotations

from bot.i18n import Translator
from bot.views.blocks import Block, actions, button, context


def page_blocks(
    t: Translator, action: str, offset: int, shown: int, total: int, size: int, *, block_id: str | None = None
) -> list[Block]:
    """Under a page of `shown` items from `offset`: where it is in the list, and the buttons
    `{action}_previous` / `{action}_next` where there is more."""
    last = offset + shown
    blocks = [context(t("status.group.page", first=offset + 1, last=last, total=total))]
    paging = []
    if offset > 0:
        paging.append(button(t("status.page.previous"), f"{action}_previous", str(max(0, offset - size))))
    if last < total:
        paging.append(button(t("status.page.next"), f"{action}_next", str(last)))
    if paging:
        blocks.append(actions(*paging, block_id=block_id))
    return blocks
