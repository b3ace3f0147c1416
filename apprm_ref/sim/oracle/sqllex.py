"""Tokens of one SQL statement as Oracle's parser sees them, and a cursor over them.

Unquoted identifiers fold to upper case, quoted ones (``"v$log"``) keep their case; string
literals double their quote (``'it''s'``). What Oracle refuses while scanning is refused here
with its code: an unterminated literal (ORA-01756), an unterminated quoted identifier
(ORA-01740), a character outside the SQL alphabet or a second statement after ``;`` sent
through OCI (ORA-00911). A single trailing ``;`` is tolerated, as SQL*Plus strips it.
Sources: Oracle Database SQL Language Reference, "Database Object Names and Qualifiers",
"Literals"; Oracle Database Error Messages (ORA-00911, ORA-01740, ORA-01756).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from apprm_ref.errors import OracleError

ERRORS = {
    "ORA-00900": "invalid SQL statement",
    "ORA-00904": '"{}": invalid identifier',
    "ORA-00905": "missing keyword",
    "ORA-00906": "missing left parenthesis",
    "ORA-00907": "missing right parenthesis",
    "ORA-00908": "missing NULL keyword",
    "ORA-00911": "invalid character",
    "ORA-00918": "column ambiguously defined",
    "ORA-00920": "invalid relational operator",
    "ORA-00922": "missing or invalid option",
    "ORA-00923": "FROM keyword not found where expected",
    "ORA-00925": "missing INTO keyword",
    "ORA-00926": "missing VALUES keyword",
    "ORA-00927": "missing equal sign",
    "ORA-00928": "missing SELECT keyword",
    "ORA-00933": "SQL command not properly ended",
    "ORA-00936": "missing expression",
    "ORA-00937": "not a single-group group function",
    "ORA-00940": "invalid ALTER command",
    "ORA-00942": "table or view does not exist",
    "ORA-00971": "missing SET keyword",
    "ORA-00979": "not a GROUP BY expression",
    "ORA-01008": "not all variables bound",
    "ORA-01036": "illegal variable name/number",
    "ORA-01740": "missing double quote in identifier",
    "ORA-01741": "illegal zero-length identifier",
    "ORA-01742": "comment not properly terminated",
    "ORA-00903": "invalid table name",
    "ORA-01756": "quoted string not properly terminated",
    "ORA-01722": "invalid number",
    "ORA-01821": "date format not recognized",
    "ORA-01861": "literal does not match format string",
    "ORA-02140": "invalid tablespace name",
    "ORA-02248": "invalid option for ALTER SESSION",
}


def sql_error(code: str, *args: object) -> OracleError:
    return OracleError(ERRORS[code].format(*args), code=code)


@dataclass(frozen=True)
class Tok:
    kind: str  # word | qident | str | num | bind | op
    text: str  # folded identifier / literal value / operator
    pos: int

    def is_kw(self, *words: str) -> bool:
        return self.kind == "word" and self.text in words


_SPACE = re.compile(r"\s+|--[^\n]*|/\*.*?\*/", re.S)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_$#]*")
_NUM = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_BIND = re.compile(r":(?:[A-Za-z][A-Za-z0-9_$#]*|\d+)")
_OPS = ("<>", "!=", ">=", "<=", "||", "=", "<", ">", "(", ")", ",", "*", ".", "+", "-", "/")


def tokenize(text: str) -> list[Tok]:
    out: list[Tok] = []
    i, n = 0, len(text)
    while i < n:
        if text.startswith("/*", i) and "*/" not in text[i + 2 :]:
            raise sql_error("ORA-01742")
        m = _SPACE.match(text, i)
        if m:
            i = m.end()
            continue
        ch = text[i]
        if ch == ";":
            if text[i + 1 :].strip():
                raise sql_error("ORA-00911")
            break
        tok, i = _one(text, i, ch)
        out.append(tok)
    return out


def _one(text: str, i: int, ch: str) -> tuple[Tok, int]:
    if ch == "'":
        return _quoted(text, i, "'", "str", "ORA-01756")
    if ch == '"':
        tok, end = _quoted(text, i, '"', "qident", "ORA-01740")
        if not tok.text:
            raise sql_error("ORA-01741")
        return tok, end
    for kind, pattern in (("word", _WORD), ("num", _NUM), ("bind", _BIND)):
        m = pattern.match(text, i)
        if m:
            value = m.group().upper() if kind == "word" else m.group()
            return Tok(kind, value if kind != "bind" else value[1:], i), m.end()
    for op in _OPS:
        if text.startswith(op, i):
            return Tok("op", op, i), i + len(op)
    raise sql_error("ORA-00911")


def _quoted(text: str, i: int, q: str, kind: str, code: str) -> tuple[Tok, int]:
    j, parts = i + 1, []
    while True:
        k = text.find(q, j)
        if k < 0:
            raise sql_error(code)
        parts.append(text[j:k])
        if kind == "str" and text.startswith(q * 2, k):
            parts.append(q)
            j = k + 2
            continue
        return Tok(kind, "".join(parts), i), k + 1


def placeholders(toks: list[Tok]) -> list[str]:
    """Distinct bind names in order of first appearance (upper case, as Oracle matches)."""
    names: list[str] = []
    for t in toks:
        if t.kind == "bind" and t.text.upper() not in names:
            names.append(t.text.upper())
    return names


def resolve_binds(toks: list[Tok], params: Any) -> dict[str, Any]:
    """Bind values by placeholder name, checked as python-oracledb and Oracle check them:
    a placeholder without a value is ORA-01008; a named value without a placeholder is
    DPY-4008; positional values bind in order of appearance (python-oracledb User Guide,
    "Using Bind Variables")."""
    names = placeholders(toks)
    if isinstance(params, list | tuple):
        if len(params) > len(names):
            raise DriverSideError(
                "DPY-4009",
                f"{len(names)} positional bind values are required but {len(params)} were provided",
            )
        return {n: v for n, v in zip(names, params, strict=False)}
    given = {str(k).upper().lstrip(":"): v for k, v in dict(params or {}).items()}
    for name in given:
        if name not in names:
            raise DriverSideError(
                "DPY-4008", f'no bind placeholder named ":{name}" was found in the SQL text'
            )
    return given


class DriverSideError(Exception):
    """An error python-oracledb itself raises before the database sees the call (DPY-)."""

    def __init__(self, code: str, message: str, kind: str = "ProgrammingError") -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.kind = code, kind


class Cursor:
    """A read position over the tokens of one statement, with the binds it uses."""

    def __init__(self, toks: list[Tok], binds: dict[str, Any]) -> None:
        self.toks, self.i, self.binds = toks, 0, binds

    def peek(self, ahead: int = 0) -> Tok | None:
        j = self.i + ahead
        return self.toks[j] if j < len(self.toks) else None

    def at_end(self) -> bool:
        return self.i >= len(self.toks)

    def next(self, missing: str = "ORA-00936") -> Tok:
        tok = self.peek()
        if tok is None:
            raise sql_error(missing)
        self.i += 1
        return tok

    def kw(self, *words: str) -> bool:
        """Consume the keywords ``words`` in order if they come next."""
        for k, w in enumerate(words):
            tok = self.peek(k)
            if tok is None or not tok.is_kw(w):
                return False
        self.i += len(words)
        return True

    def expect_kw(self, *words: str, code: str = "ORA-00905") -> None:
        if not self.kw(*words):
            raise sql_error(code)

    def op(self, text: str) -> bool:
        tok = self.peek()
        if tok is not None and tok.kind == "op" and tok.text == text:
            self.i += 1
            return True
        return False

    def expect_op(self, text: str, code: str) -> None:
        if not self.op(text):
            raise sql_error(code)

    def ident(self, code: str = "ORA-00903") -> str:
        tok = self.peek()
        if tok is None or tok.kind not in ("word", "qident"):
            raise sql_error(code, tok.text if tok else "")
        self.i += 1
        return tok.text

    def string(self, code: str = "ORA-00905") -> str:
        tok = self.peek()
        if tok is None or tok.kind != "str":
            raise sql_error(code)
        self.i += 1
        return tok.text

    def number(self, code: str = "ORA-00936") -> int:
        tok = self.peek()
        if tok is None or tok.kind != "num" or not tok.text.isdigit():
            raise sql_error(code)
        self.i += 1
        return int(tok.text)

    def bind_value(self, name: str) -> Any:
        key = name.upper()
        if key not in self.binds:
            raise sql_error("ORA-01008")
        return self.binds[key]

    def end(self) -> None:
        if not self.at_end():
            raise sql_error("ORA-00933")
