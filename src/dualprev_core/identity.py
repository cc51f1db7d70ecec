"""People are identities, not strings: two spellings a reader cannot tell apart are one person.

The guards of the closed loop ("the verifier is not a rectifier", docs/hidden-dangers.md) and
the register's list of people (``posts[].people``) compare names by their :func:`person_key`:

1. Unicode NFKC normalisation: full-width ``Ｚｈａｎｇ`` is ``Zhang``, compatibility forms fold;
2. invisible characters removed: format characters (Unicode category Cf: zero-width space and
   joiners, bidi controls, the BOM, soft hyphen) and variation selectors;
3. whitespace collapsed (runs to one space, trimmed) and case folded;
4. confusable letters folded to the Latin letter they look like: Cyrillic ``а`` in ``Zhаng``,
   Greek ``Ο``, and the other lookalikes in :data:`CONFUSABLES` (Chinese characters are kept
   as they are; the table covers the Latin lookalikes of the Cyrillic and Greek alphabets).

A name holding control characters (C0/C1, e.g. a newline or an escape), or nothing visible, is
refused by :func:`check_name`.  :func:`mixed_script` says whether a name mixes Latin with
Cyrillic or Greek letters, which no real name in a Chinese register does; the register refuses
such names, and reports two people whose keys are equal.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping

from dualprev_core.errors import InvalidInput, excerpt

__all__ = ["person_key", "same_person", "check_name", "mixed_script", "CONFUSABLES", "MAX_NAME_CHARS", "People"]

#: Longest name accepted for a person (characters, after normalisation).
MAX_NAME_CHARS = 200

#: Lowercase Cyrillic and Greek letters that look like a Latin letter (after case folding).
CONFUSABLES: Mapping[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j", "к": "k",
    "ӏ": "l", "м": "m", "н": "h", "о": "o", "р": "p", "ԛ": "q", "ѕ": "s", "т": "t", "у": "y", "ѵ": "v", "ԝ": "w",
    "х": "x", "ү": "y", "ɡ": "g", "ƅ": "b", "ь": "b", "п": "n",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "γ": "y", "ζ": "z", "ϲ": "c", "ϳ": "j",
    # Latin letters other scripts borrow
    "ı": "i", "ȷ": "j", "ℓ": "l",
}
_FOLD = str.maketrans(dict(CONFUSABLES))


def _invisible(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat == "Cf" or "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef" or ch in "\u115f\u1160\u3164\uffa0"


def _clean(name: str) -> str:
    text = unicodedata.normalize("NFKC", name)
    text = "".join(ch for ch in text if not _invisible(ch))
    return " ".join(text.split())


def person_key(name: str) -> str:
    """The identity of a name: NFKC, invisible characters removed, whitespace collapsed, case
    and confusable letters folded (``"Zhаng\\u200b"`` → ``"zhang"``)."""
    return _clean(str(name)).casefold().translate(_FOLD)


def same_person(a: str, b: str) -> bool:
    """Whether two names denote the same person (equal :func:`person_key`)."""
    return person_key(a) == person_key(b)


def _script(ch: str) -> str | None:
    if not ch.isalpha():
        return None
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return None
    for script in ("LATIN", "CYRILLIC", "GREEK"):
        if name.startswith(script):
            return script
    return None


def mixed_script(name: str) -> tuple[str, ...]:
    """The alphabets among Latin, Cyrillic and Greek that ``name`` mixes (empty if at most one)."""
    scripts = {s for s in map(_script, _clean(str(name))) if s is not None}
    return tuple(sorted(scripts)) if len(scripts) > 1 else ()


def check_name(name: object, what: str = "name") -> str:
    """``name`` as given, if it can identify a person; else :class:`InvalidInput` naming ``what``.

    Refused: not a string, control characters (C0/C1: newlines, escapes), nothing visible once
    invisible characters are removed, more than :data:`MAX_NAME_CHARS` characters, and a mix of
    Latin with Cyrillic or Greek letters (a lookalike spelling).
    """
    if not isinstance(name, str):
        raise InvalidInput(f"{what} must be a text naming a person (got {excerpt(name)})")
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        raise InvalidInput(f"{what} {excerpt(name)} holds control characters; a person's name cannot")
    clean = _clean(name)
    if not clean:
        raise InvalidInput(f"{what} {excerpt(name)} has no visible characters")
    if len(clean) > MAX_NAME_CHARS:
        raise InvalidInput(f"{what} of {len(clean)} characters is over the limit of {MAX_NAME_CHARS}")
    mixed = mixed_script(clean)
    if mixed:
        raise InvalidInput(f"{what} {excerpt(name)} mixes {' and '.join(s.title() for s in mixed)} letters (a lookalike spelling); "
                           "write the name in one alphabet")
    return name


class People:
    """The people a register lists, by identity.

    :param names: ``(name, where)`` pairs, e.g. ``("张工", "posts[2].people[0]")``.
    """

    def __init__(self, names: Iterable[tuple[str, str]] = ()) -> None:
        self._by_key: dict[str, tuple[str, str]] = {}
        #: ``(where, message)`` for names that are the same person as an earlier one or malformed
        self.problems: list[tuple[str, str]] = []
        for name, where in names:
            try:
                check_name(name, "a person's name")
            except InvalidInput as exc:
                self.problems.append((where, str(exc)))
                continue
            key = person_key(name)
            first = self._by_key.get(key)
            if first is not None and first[0] != name:
                self.problems.append((where, f"{excerpt(name)} cannot be told apart from {excerpt(first[0])} at {first[1]} "
                                             "(same letters once invisible characters, width and lookalikes are folded)"))
            self._by_key.setdefault(key, (name, where))

    def __bool__(self) -> bool:
        return bool(self._by_key)

    def __len__(self) -> int:
        return len(self._by_key)

    def names(self) -> list[str]:
        """The register's spellings, in the order listed."""
        return [name for name, _ in self._by_key.values()]

    def find(self, name: str) -> str | None:
        """The register's spelling of ``name``'s person, or ``None`` if unknown."""
        hit = self._by_key.get(person_key(name))
        return hit[0] if hit else None
