"""The web server: health check, channel webhooks and a small web chat to try the assistant."""
