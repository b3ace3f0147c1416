"""Console pages (placeholder until the templates land)."""

from __future__ import annotations

from fastapi import FastAPI


def mount(app: FastAPI) -> None:
    return None
