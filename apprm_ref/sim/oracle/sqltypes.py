"""Oracle's implicit conversions and datetime format models, as the door's SQL uses them.

A string meets a number as a number (ORA-01722 when it is not one); a number or RAW becomes
text as TO_CHAR / RAWTOHEX write it; dates parse and print through format models (the
elements admin scripts use: YYYY, MM, MON, DD, HH24, MI, SS, ...; ORA-01821 for others,
ORA-01861 for a literal that does not match). Source: Oracle Database SQL Language Reference,
"Data Type Comparison Rules", "Implicit Data Conversion", "Format Models".
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from apprm_ref.sim.oracle.sqllex import sql_error


def to_number(text: str) -> int | float:
    t = text.strip()
    if re.fullmatch(r"[+-]?\d+", t):
        return int(t)
    if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)(E[+-]?\d+)?", t, re.I):
        return float(t)
    raise sql_error("ORA-01722")


def to_text(value: Any, s: Any) -> str:
    """TO_CHAR of a value as Oracle writes it into a VARCHAR2 (``0.5`` -> ``.5``); dates
    through the session's NLS_DATE_FORMAT."""
    if isinstance(value, datetime):
        return format_date(value, s.nls["NLS_DATE_FORMAT"])
    if isinstance(value, bytes):
        return value.hex().upper()  # RAWTOHEX, the implicit RAW -> VARCHAR2 conversion
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        text = repr(value)
        return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text
    return str(value)


# --- datetime format models (the elements admin scripts use) ----------------------------------

_ELEMENTS = {
    "YYYY": "%Y", "RRRR": "%Y", "YY": "%y", "RR": "%y", "MM": "%m", "MON": "%b",
    "MONTH": "%B", "DD": "%d", "HH24": "%H", "HH": "%I", "HH12": "%I", "MI": "%M",
    "SS": "%S", "AM": "%p", "PM": "%p", "DY": "%a",
}  # fmt: skip
_ELEMENT = re.compile(r"YYYY|RRRR|MONTH|HH24|HH12|MON|YY|RR|MM|DD|HH|MI|SS|AM|PM|DY|[-/:., ;]")


def _strftime_format(fmt: str) -> str:
    out, i, up = [], 0, fmt.upper()
    while i < len(up):
        if up[i] == '"':
            j = up.find('"', i + 1)
            if j < 0:
                raise sql_error("ORA-01821")
            out.append(fmt[i + 1 : j].replace("%", "%%"))
            i = j + 1
            continue
        m = _ELEMENT.match(up, i)
        if m is None:
            raise sql_error("ORA-01821")
        out.append(_ELEMENTS.get(m.group(), m.group()))
        i = m.end()
    return "".join(out)


def parse_date(text: str, fmt: str) -> datetime:
    try:
        return datetime.strptime(text.strip(), _strftime_format(fmt))
    except ValueError:
        raise sql_error("ORA-01861") from None


def format_date(when: datetime, fmt: str) -> str:
    text = when.strftime(_strftime_format(fmt))
    return text.upper() if "MON" in fmt.upper() else text


def check_date_format(fmt: str) -> None:
    _strftime_format(fmt)
