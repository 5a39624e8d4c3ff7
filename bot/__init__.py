"""Stagebot's composition root and Slack face: settings, CLI, app factory, middleware, i18n, views."""
