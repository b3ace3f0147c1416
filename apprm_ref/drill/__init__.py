"""Scenario files and replayable disaster-recovery drills."""
