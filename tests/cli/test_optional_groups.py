"""Every optional command group ``apprm`` names is a module that exists and exposes ``app``.

``_mount_optional`` skips a group that fails to import (a broken extra must not break
``apprm``), so a dangling entry would vanish silently; this test makes it fail loudly.
"""

from __future__ import annotations

import importlib

import pytest
import typer

from apprm_ref.cli import main


@pytest.mark.parametrize("name", sorted(main.OPTIONAL))
def test_optional_group_imports_and_is_mounted(name: str) -> None:
    sub = importlib.import_module(main.OPTIONAL[name]).app
    assert isinstance(sub, typer.Typer)
    mounted = {group.name for group in main.app.registered_groups}
    assert name in mounted
