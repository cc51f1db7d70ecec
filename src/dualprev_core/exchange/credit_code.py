"""统一社会信用代码 (unified social credit code), GB 32100-2015: structure and check digit.

18 characters from the 31-character set ``0-9 A-H J-N P-R T U W-Y`` (no I, O, S, V, Z):
registration authority (1), organisation type (1), administrative division code (6),
organisation code (9), check character (1).  The check character is ``31 − (Σ cᵢ·wᵢ mod 31)``
(31 → 0) with weights ``wᵢ = 3ⁱ mod 31`` over the first 17 characters.
"""

from __future__ import annotations

from typing import Final

from dualprev_core.errors import InvalidInput
from dualprev_core.provenance import Citation

__all__ = ["CITATION", "ALPHABET", "check_character", "credit_code_problem", "validate_credit_code"]

CITATION: Final = Citation(
    standard="GB 32100",
    edition="2015",
    title="法人和其他组织统一社会信用代码编码规则",
    clause="4 代码结构; 5 校验码",
)
#: The code's characters, in value order (value = index).
ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE: Final = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS: Final = tuple(pow(3, i, 31) for i in range(17))
#: First character: the registration authority (1 机构编制, 5 民政, 9 工商, Y 其他, ...).
_AUTHORITIES: Final = frozenset("123456789ABCDEFGNY")


def check_character(first17: str) -> str:
    """The GB 32100 check character of the first 17 characters.

    :raises InvalidInput: when a character is outside the code's alphabet.
    """
    if len(first17) != 17:
        raise InvalidInput(f"a credit code's body has 17 characters (got {len(first17)}: {first17!r})")
    total = 0
    for i, ch in enumerate(first17):
        if ch not in _VALUE:
            raise InvalidInput(f"{ch!r} at position {i + 1} is not a credit-code character (0-9, A-Y without I, O, S, V, Z)")
        total += _VALUE[ch] * _WEIGHTS[i]
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code: object) -> str | None:
    """What is wrong with ``code`` as a 统一社会信用代码, or ``None`` when it is valid."""
    if not isinstance(code, str):
        return f"must be an 18-character 统一社会信用代码 (got {code!r})"
    if len(code) != 18:
        return f"must have 18 characters (got {len(code)}: {code!r})"
    bad = [f"{ch!r} at position {i + 1}" for i, ch in enumerate(code) if ch not in _VALUE]
    if bad:
        return f"{', '.join(bad)} not allowed (0-9 and A-Y without I, O, S, V, Z; upper case) in {code!r}"
    if code[0] not in _AUTHORITIES:
        return f"first character {code[0]!r} is not a registration authority code (got {code!r})"
    if not code[2:8].isdigit():
        return f"characters 3-8 must be the administrative division code, digits (got {code[2:8]!r} in {code!r})"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"check character is {code[17]!r} but GB 32100 gives {expected!r} for {code[:17]!r} (mistyped?)"
    return None


def validate_credit_code(code: object) -> str:
    """``code`` when it is a valid 统一社会信用代码.

    :raises InvalidInput: naming what is wrong (length, character, check digit).
    """
    problem = credit_code_problem(code)
    if problem:
        raise InvalidInput(f"统一社会信用代码 {problem}")
    return str(code)
