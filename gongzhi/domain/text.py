"""Clean text: the one definition of what a text field may hold, and how stored text is mended.

Text arrives from many doors (JSON, page forms, multipart, Open311, 12345 pushes and files, query
strings) and leaves through writers that are stricter than the database: .docx and .xlsx are XML
1.0 inside a zip, Open311 answers in XML, and PostgreSQL refuses U+0000 outright.  XML 1.0 can hold
tab, LF, CR and everything from U+0020 on, except the lone surrogates and U+FFFE/U+FFFF; a single
U+000B pasted from Word was enough to make a 调解协议书 impossible to issue (500 on every retry).

So, for every input: the C0 controls but tab, LF and CR, DEL, lone surrogates and U+FFFE/U+FFFF
are refused, with a message naming the code point (the character is invisible; its number is how
the user finds it).  For text already stored (before this rule, or written by admin or scripts),
:func:`sanitize` mends it so that every writer can hold it.

Pure Python, no Django: tested from tables in tests/domain/test_text.py.
"""
from __future__ import annotations

import re

# Refused: U+0000–U+0008, U+000B, U+000C, U+000E–U+001F, U+007F, U+D800–U+DFFF, U+FFFE, U+FFFF.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# The refused characters that separate words (vertical tab and form feed: Word's manual line and
# page breaks in a paste; U+001C–U+001F, the information separators) are mended into a space, so
# "甲方\v乙方" does not run together as "甲方乙方".  Not into a line break: the same function
# mends names and titles, and a title is also a download's file name, where a line break is
# refused by every HTTP header.
_SEPARATORS = str.maketrans({c: " " for c in "\x0b\x0c\x1c\x1d\x1e\x1f"})


def kind_of(char: str) -> str:
    """What to call a refused character in a message."""
    cp = ord(char)
    if cp == 0:
        return "空字符"
    if cp < 0x20 or cp == 0x7F:
        return "控制字符"
    return "无效字符"          # a lone surrogate half, or one of the two non-characters U+FFFE/U+FFFF


def message_for(char: str) -> str:
    """"含有不允许的控制字符（U+000B），请删除后重试" for one refused character."""
    return f"含有不允许的{kind_of(char)}（U+{ord(char):04X}），请删除后重试"


def first_forbidden(text: str) -> str | None:
    """The first refused character of ``text``, or None when it is clean."""
    m = FORBIDDEN.search(text)
    return m.group() if m else None


def problem(value) -> str | None:
    """The message for the first refused character anywhere in ``value`` (text, or JSON-like
    dicts and lists of it, keys included), or None when all of it is clean."""
    if isinstance(value, str):
        m = FORBIDDEN.search(value)
        return message_for(m.group()) if m else None
    if isinstance(value, dict):
        for k, v in value.items():
            found = problem(k) or problem(v)
            if found:
                return found
    elif isinstance(value, (list, tuple)):
        for v in value:
            found = problem(v)
            if found:
                return found
    return None


def problems(values: dict) -> dict[str, str]:
    """{field: message} for every field of ``values`` that holds a refused character."""
    return {name: msg for name, value in values.items() if (msg := problem(value))}


def findings(value, path: tuple = ()) -> list[tuple[tuple, str]]:
    """Where refused characters are in JSON-like ``value``: [(path, character)], the path a tuple
    of keys and indexes from ``value`` down (a key that holds one is reported at its own path)."""
    if path == () and not isinstance(value, str):
        # Every input passes here: one search over all its text joined, and the walk that finds
        # where only when there is something to find (a regex call per value was most of the cost).
        pieces: list[str] = []
        _texts(value, pieces)
        if not FORBIDDEN.search("".join(pieces)):
            return []
    if isinstance(value, str):
        m = FORBIDDEN.search(value)
        return [(path, m.group())] if m else []
    out: list[tuple[tuple, str]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str) and (m := FORBIDDEN.search(k)):
                out.append(((*path, k), m.group()))
            elif isinstance(v, (str, dict, list, tuple)):
                out += findings(v, (*path, k))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            if isinstance(v, (str, dict, list, tuple)):
                out += findings(v, (*path, i))
    return out


def _texts(value, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(k, str):
                out.append(k)
            if isinstance(v, str):
                out.append(v)
            elif isinstance(v, (dict, list, tuple)):
                _texts(v, out)
    elif isinstance(value, (list, tuple)):
        for v in value:
            _texts(v, out)


def sanitize(text: str) -> str:
    """Stored text made writable: a refused character that separates words becomes a space,
    every other one is dropped (it carried nothing a reader could see).  Clean text comes back
    unchanged (the same object)."""
    if not FORBIDDEN.search(text):
        return text
    return FORBIDDEN.sub("", text.translate(_SEPARATORS))


def sanitize_value(value):
    """:func:`sanitize` through JSON-like data (dict keys and values, lists); other values as they are."""
    if isinstance(value, str):
        return sanitize(value)
    if isinstance(value, dict):
        return {sanitize_value(k): sanitize_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [sanitize_value(v) for v in value]
    return value
