"""The one way a Web API method refuses a request, so every method answers Slack's error shape."""

from __future__ import annotations


class ApiError(Exception):
    """A Slack error code plus optional detail lines (Slack's `response_metadata.messages`).

    Raised anywhere below a Web API method and turned into `{"ok": false, "error": ...}` in one place.
    """

    def __init__(self, error: str, messages: list[str] | None = None) -> None:
        super().__init__(error if not messages else f"{error}: {'; '.join(messages)}")
        self.error = error
        self.messages = messages or []

    def body(self) -> dict[str, object]:
        """The JSON body Slack would answer with."""
        body: dict[str, object] = {"ok": False, "error": self.error}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body
