"""The four risk levels (重大/较大/一般/低 = red/orange/yellow/blue), totally ordered.

``RiskLevel.LOW < RiskLevel.GENERAL < RiskLevel.LARGE < RiskLevel.MAJOR``; ``max`` and
comparisons work.  The four levels and their colours come from 安委办〔2016〕11号; the hex
colours are **non-normative** conventions (no official RGB exists; GB 2893-2008 defines
safety colours colorimetrically and has no orange).
"""

from __future__ import annotations

import enum
from typing import Final

from dualprev_core.errors import InvalidInput, suggest
from dualprev_core.provenance import Citation

__all__ = ["RiskLevel", "LEVELS_CITATION", "COLOUR_CITATION"]

LEVELS_CITATION: Final = Citation(
    standard="安委办〔2016〕11号",
    title="关于实施遏制重特大事故工作指南构建双重预防机制的意见",
    clause="二(二) 风险分级: 重大/较大/一般/低, 红/橙/黄/蓝",
    note="clause wording paraphrased; four levels and colours confirmed by several sources",
)

COLOUR_CITATION: Final = Citation(
    standard="dualprev convention",
    verified=False,
    note="no official RGB for the four colours exists; GB 2893-2008 has no orange. "
    "Defaults: red #FF0000, orange #FF8000, yellow #FFFF00, blue #0070C0.",
)


@enum.unique
class RiskLevel(enum.IntEnum):
    """A risk level.  The integer value orders the levels; it is not a score."""

    LOW = 1
    GENERAL = 2
    LARGE = 3
    MAJOR = 4

    def __str__(self) -> str:
        return self.key

    def __format__(self, spec: str) -> str:
        return format(self.key, spec)

    @property
    def key(self) -> str:
        """The machine name used in files and JSON: ``major``, ``large``, ``general``, ``low``."""
        return self.name.lower()

    @property
    def zh(self) -> str:
        """Chinese name: 重大, 较大, 一般, 低."""
        return _ZH[self]

    @property
    def en(self) -> str:
        """English name: major, large, general, low."""
        return self.name.lower()

    @property
    def colour(self) -> str:
        """Colour name: red, orange, yellow, blue."""
        return _COLOUR[self]

    @property
    def colour_zh(self) -> str:
        """Chinese colour name: 红, 橙, 黄, 蓝."""
        return _COLOUR_ZH[self]

    @property
    def hex(self) -> str:
        """Non-normative RGB hex (see :data:`COLOUR_CITATION`)."""
        return _HEX[self]

    def label(self, lang: str = "zh") -> str:
        """``重大`` / ``major`` by language."""
        return self.zh if lang == "zh" else self.en

    def raised(self, steps: int = 1) -> RiskLevel:
        """The level ``steps`` higher, never above MAJOR."""
        return RiskLevel(min(int(self) + max(steps, 0), int(RiskLevel.MAJOR)))

    @classmethod
    def parse(cls, value: object) -> RiskLevel:
        """Accept a RiskLevel, its key (``major``), Chinese name (``重大``), colour (``red``/``红``).

        :raises InvalidInput: naming the allowed values.
        """
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            v = value.strip().lower()
            for lvl in cls:
                if v in (lvl.key, lvl.zh, lvl.colour, lvl.colour_zh, lvl.zh + "风险"):
                    return lvl
        allowed = [lvl.key for lvl in cls]
        raise InvalidInput(
            f"{value!r} is not a risk level; allowed: {', '.join(allowed)} "
            f"(or 重大/较大/一般/低, red/orange/yellow/blue){suggest(str(value), allowed)}"
        )


_ZH: Final = {RiskLevel.MAJOR: "重大", RiskLevel.LARGE: "较大", RiskLevel.GENERAL: "一般", RiskLevel.LOW: "低"}
_COLOUR: Final = {RiskLevel.MAJOR: "red", RiskLevel.LARGE: "orange", RiskLevel.GENERAL: "yellow", RiskLevel.LOW: "blue"}
_COLOUR_ZH: Final = {RiskLevel.MAJOR: "红", RiskLevel.LARGE: "橙", RiskLevel.GENERAL: "黄", RiskLevel.LOW: "蓝"}
_HEX: Final = {RiskLevel.MAJOR: "#FF0000", RiskLevel.LARGE: "#FF8000", RiskLevel.GENERAL: "#FFFF00", RiskLevel.LOW: "#0070C0"}
