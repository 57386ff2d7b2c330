"""The reader's words for a sentence the server wrote in Chinese (issue 17).

Chinese is the source language: the code writes its messages, notes and reasons in Chinese, and
what is stored (timeline notes, import reports) stays Chinese, the record of what happened.  What
is *shown* is put in the reader's language here, when it is shown:

- a sentence with a catalogue entry of its own: that entry;
- a sentence with numbers in it ("脱离监管 12 日"): the entry of its shape with each number as
  ``{n}`` ("脱离监管 {n} 日"), the numbers put back in order;
- a sentence composed from values (``f"{label}已超期，系统自动{level}"``): the entry of the
  pattern in ``gongzhi.core.patterns`` it matches, each value itself translated when the catalogue
  knows it (an enum label) and kept as it is otherwise (a name, a number, a code).

A noun counted by a value is written ``{n} {day|days}`` in an English entry: the form after a
placeholder is chosen by its value (the first when it is 1), as ngettext would for one number —
these sentences can count several things ("不得超过{n}日（申请 {n} 日）").

A Chinese reader gets the text as written.  Nothing here is stored.
"""
from __future__ import annotations

import re
from functools import lru_cache

from django.utils.translation import get_language, gettext

# A number as the server writes it: 12, 2.5, 15,000.00 (one {n} each).
NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
PLACEHOLDER = re.compile(r"\{([a-z_0-9]+)\}")
TOKEN = re.compile(r"\{([a-z_0-9]+)\}|\{([^{}|]*)\|([^{}|]*)\}")


def chinese() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def translated(text: str) -> str:
    """``text`` in the active language (see the module's docstring); unchanged for Chinese or
    when no entry or pattern knows it."""
    if not text or not isinstance(text, str) or chinese():
        return text
    return _translated(get_language(), text)


@lru_cache(maxsize=4096)
def _translated(language: str, text: str) -> str:
    # Keyed by the language too: gettext answers in the active one.  A timeline shows the same
    # server sentences on page after page; the patterns are tried once per sentence.
    out = gettext(text)
    if out != text:
        return out
    return by_numbers(text) or by_pattern(text) or text


def by_numbers(text: str) -> str | None:
    if not NUMBER.search(text):
        return None
    numbers = NUMBER.findall(text)
    shape = NUMBER.sub("{n}", text)
    out = gettext(shape)
    if out == shape:
        return None
    return fill(out, ["n"] * len(numbers), numbers)


# Server-composed sentences are short; a pattern's lazy groups backtrack polynomially in the
# values' count, so a long text (a 2,000-character note a person typed) is never matched: 181
# characters took 0.07 s and 361 took 2.4 s on a five-value pattern (the review's measure).
PATTERN_MAX = 200


def by_pattern(text: str) -> str | None:
    if len(text) > PATTERN_MAX:
        return None
    for pattern, key, regex, names in _compiled():
        if key not in text:          # its longest literal part: most patterns are out at once
            continue
        m = regex.fullmatch(text)
        if m is None:
            continue
        out = gettext(pattern)
        if out == pattern:
            return None
        return fill(out, names, [value(v) for v in m.groups()])
    return None


def fill(text: str, names: list[str], values: list[str]) -> str:
    """Each {name} of ``text`` given its value — a name used more than once ({n} … {n}) is
    filled in order — and each {one|other} after one the form its value asks for."""
    filled: dict[str, list[str]] = {}
    for name, v in zip(names, values, strict=True):
        filled.setdefault(name, []).append(v)
    last = ""

    def put(m: re.Match) -> str:
        nonlocal last
        if m.group(1) is None:                       # {one|other}: by the value just put
            return m.group(2) if last in ("1", "-1") else m.group(3)
        found = filled.get(m.group(1))
        if not found:
            return m.group(0)
        last = found.pop(0) if len(found) > 1 else found[0]
        return last
    return TOKEN.sub(put, text)


def value(text: str) -> str:
    """One value put into a pattern: a label the catalogue knows, a list of them joined by 、, or
    the value as it is (names, numbers and codes have no entry)."""
    out = gettext(text)
    if out != text:
        return out
    if "、" in text:
        return gettext("、").join(gettext(part) for part in text.split("、"))
    return by_numbers(text) or text


@lru_cache(maxsize=1)
def _compiled() -> list[tuple[str, str, re.Pattern, list[str]]]:
    from .patterns import CHOICES, PATTERNS
    out = []
    for pattern in PATTERNS:
        names = PLACEHOLDER.findall(pattern)
        parts = PLACEHOLDER.split(pattern)
        # split gives literal, name, literal, name, …: literals escaped, names as lazy groups
        # ({n} only a number; a name in CHOICES only one of its labels, which is what tells two
        # adjacent values apart: "{decider}{body}").
        regex = "".join(re.escape(p) if i % 2 == 0 else _group(p, CHOICES) for i, p in enumerate(parts))
        key = max(parts[::2], key=len)
        out.append((pattern, key, re.compile(regex, re.S), names))
    # Longer literal text first: a specific pattern wins over a general one that also matches.
    out.sort(key=lambda x: -len(PLACEHOLDER.sub("", x[0])))
    return out


def _group(name: str, choices: dict[str, list[str]]) -> str:
    if name == "n":
        return f"(-?{NUMBER.pattern})"
    if name in choices:
        return "(" + "|".join(re.escape(c) for c in sorted(choices[name], key=len, reverse=True)) + ")"
    return "(.+?)"
