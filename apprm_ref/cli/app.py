"""The root command group and the output conventions every command follows.

An :class:`~apprm_ref.errors.ApprmError` or a usage error ends the command with ONE line on
stderr (``apprm: error: ...``) and exit 2, never a traceback (``APPRM_DEBUG=1`` re-raises).
Exit codes: 0 success, 1 completed with errors or warnings, 2 failure or bad input.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer.core import TyperGroup

from apprm_ref.errors import ApprmError
from apprm_ref.front.views import SCHEMA_VERSION
from apprm_ref.types import SessionStatus


def _click_errors() -> tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...]]:
    """Usage errors and aborts of every click the installed typer may raise: older typer
    depends on click, newer releases vendor it as ``typer._click`` (both may be present)."""
    usage: list[type[BaseException]] = []
    aborts: list[type[BaseException]] = [typer.Abort]
    for module in ("click.exceptions", "typer._click.exceptions"):
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        usage.append(mod.ClickException)
        abort = getattr(mod, "Abort", None)
        if abort is not None:
            aborts.append(abort)
    return tuple(usage), tuple(aborts)


_USAGE_ERRORS, _ABORTS = _click_errors()


EXIT_OK, EXIT_WARN, EXIT_FAIL = 0, 1, 2


def fail_line(message: str) -> str:
    return "apprm: error: " + " ".join(str(message).split())


def _line_fail(_code: str, message: str) -> int:
    typer.echo(fail_line(message), err=True)
    return EXIT_FAIL


def _json_fail(code: str, message: str) -> int:
    """With ``--json`` an error is JSON too, on stderr, with the same exit code."""
    text = " ".join(str(message).split())
    doc = {"error": {"code": code, "message": text}, "schema_version": SCHEMA_VERSION}
    typer.echo(json.dumps(doc, sort_keys=True), err=True)
    return EXIT_FAIL


class ApprmGroup(TyperGroup):
    """Typer group whose ``main`` turns every expected error into one line and exit 2."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        debug = bool(os.environ.get("APPRM_DEBUG"))
        argv = list(sys.argv[1:] if args is None else args)
        fail = _json_fail if "--json" in argv else _line_fail
        try:
            rv = super().main(
                argv, prog_name or "apprm", complete_var, standalone_mode=False, **extra
            )
            code = rv if isinstance(rv, int) else EXIT_OK
        except ApprmError as exc:
            if debug:
                raise
            code = fail(exc.code or type(exc).__name__, str(exc))
        except _USAGE_ERRORS as exc:
            code = fail("UsageError", exc.format_message())  # type: ignore[attr-defined]
        except _ABORTS:
            code = fail("Aborted", "aborted")
        except Exception as exc:  # noqa: BLE001 - a bug: still one line, never a traceback
            if debug:
                raise
            code = fail("InternalError", f"internal error: {exc.__class__.__name__}: {exc}")
        if standalone_mode:
            sys.exit(code)
        return code


def new_app(help_text: str, **kw: Any) -> typer.Typer:
    return typer.Typer(
        help=help_text,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        **kw,
    )


# Every ``--json`` document is an object carrying this version (docs/cli.md, "JSON output");
# times in it are ISO 8601 with the UTC offset, under keys ending ``_at``.
_INDENT: dict[str, int | None] = {"indent": 2}


def set_indent(indent: int) -> None:
    """apprm.toml's ``json_indent``: 0 prints each document on one line."""
    _INDENT["indent"] = indent or None


def emit_json(data: Any, *, key: str | None = None) -> None:
    """Stable JSON: sorted keys, one trailing newline; a list goes under ``key``, and the
    document carries ``schema_version``."""
    if isinstance(data, list):
        if key is None:
            raise TypeError("a JSON list is emitted under a key")
        data = {key: data}
    doc = {**data, "schema_version": SCHEMA_VERSION}
    typer.echo(json.dumps(doc, sort_keys=True, indent=_INDENT["indent"], default=str))


def plain_time(iso: str | None) -> str:
    """An ``*_at`` value as the product's text layouts print it (``YYYY-MM-DD HH:MM:SS``)."""
    from datetime import datetime

    return "" if not iso else f"{datetime.fromisoformat(iso):%Y-%m-%d %H:%M:%S}"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Plain aligned columns with a ``=`` rule under the header, like the product's lists."""
    cells = [[str(c) for c in r] for r in rows]
    widths = [len(h) for h in headers]
    for r in cells:
        for i, c in enumerate(r):
            widths[i] = max(widths[i], len(c))
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()
    out = [line, "=" * len(line)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    return "\n".join(out)


def status_exit(status: SessionStatus) -> int:
    if status == SessionStatus.COMPLETED:
        return EXIT_OK
    if status in (SessionStatus.COMPLETED_ERRORS, SessionStatus.COMPLETED_FAILURE):
        return EXIT_WARN
    return EXIT_FAIL


def parse_kv(pairs: Sequence[str], *, option: str) -> dict[str, Any]:
    """``key=value`` pairs; values read as YAML scalars (``3`` -> 3, ``true`` -> True)."""
    import yaml

    from apprm_ref.errors import ConfigError

    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"expected key=value, got {pair!r}", field=option)
        try:
            out[key.strip()] = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            out[key.strip()] = raw
    return out
