"""How messages leave the bot: the outbox, Slack's rate limits, mail and the Slack client."""
