"""The web console: server-rendered pages over the REST API (no build step)."""
