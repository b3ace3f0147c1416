"""apprm-ref: reference orchestrator for zero downtime backup and instant recovery."""

from __future__ import annotations

__version__ = "0.1.0"
