"""The bot's own HTTP pages beside /slack/events: school links, downloads, calendar feed, health."""
