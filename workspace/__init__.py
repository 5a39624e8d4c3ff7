"""A local stand-in for Slack: serves the Web API the bot uses and drives the bot over Slack's wire protocol.

It imports nothing from the bot, so the bot cannot tell it from Slack.
"""

from workspace.delivery import Delivery
from workspace.realism import Realism
from workspace.server import Server, serve
from workspace.signing import sign_request, verify_request
from workspace.state import Call, Channel, Message, MethodStats, User, View
from workspace.workspace import Workspace

__all__ = [
    "Call",
    "Channel",
    "Delivery",
    "Message",
    "MethodStats",
    "Realism",
    "Server",
    "User",
    "View",
    "Workspace",
    "serve",
    "sign_request",
    "verify_request",
]
