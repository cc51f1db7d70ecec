"""``dualprev grade gb18218``: GB 18218-2018 R and level without an enterprise file."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from dualprev_chemical.calculator import gb18218

from dualprev_core.cli.app import cli
from dualprev_core.errors import InvalidInput, ValidationError


def test_liquid_ammonia_exam_case() -> None:
    # 液氨 Q = 10 t (表1), β = 2 (表3), 30–49 people → α = 1.2 (表5); R = 1.2 × 2 × 50/10 = 12 → 三级 (10 ≤ R < 50, 表6)
    r = gb18218(("液氨=50", "people=30"))
    assert r["items"][0]["Q_t"] == 10 and r["items"][0]["beta"] == 2 and r["alpha"] == 1.2
    assert r["R"] == 12 and r["level"] == 3 and r["is_major_hazard"]


def test_chlorine_with_table2_liquid_and_alpha() -> None:
    # 氯 Q = 5, β = 4; W5.3 Q = 1000, β = 1; ≥ 100 people → α = 2: R = 2 × (4×1 + 1×2) = 12 → 三级
    r = gb18218(("氯=5", "W5.3=2000", "people=120"))
    assert r["alpha"] == 2 and r["sum_beta_q_over_Q"] == 6 and r["R"] == 12 and r["level"] == 3


@pytest.mark.parametrize(("beta", "alpha", "level"), [("1", "1", 4), ("5", "2", 3), ("12.5", "2", 2), ("24.99", "2", 2), ("25", "2", 1)])
def test_table6_bands_on_direct_items(beta: str, alpha: str, level: int) -> None:
    # item 10 t over Q = 5 t: Σβq/Q = 2β; R = α·2β → 2, 20, 50, 99.96, 100: bands R<10 四级, 10–<50 三级, 50–<100 二级, ≥100 一级
    r = gb18218((f"item=10:5:{beta}", f"alpha={alpha}"))
    assert r["level"] == level


def test_below_one_is_not_a_major_hazard_and_missing_terms_are_said() -> None:
    r = gb18218(("甲醇=100",))
    assert not r["is_major_hazard"] and r["R"] is None and "< 1" in r["explanation"][-1]
    r = gb18218(("甲醇=600", "people=10"))
    assert r["R"] is None and any("β 未定" in line for line in r["explanation"])
    r = gb18218(("甲醇=600:beta=1", "people=10"))
    assert r["R"] == 1.2 and r["level"] == 4


def test_bad_tokens_name_the_token() -> None:
    with pytest.raises(InvalidInput, match="'甲醇'"):
        gb18218(("甲醇",))
    with pytest.raises(InvalidInput, match="people"):
        gb18218(("甲醇=1", "people=many"))
    with pytest.raises(InvalidInput, match="not both"):
        gb18218(("甲醇=1", "people=1", "alpha=1"))
    with pytest.raises(ValidationError, match="did you mean '甲醛', '甲醇'"):
        gb18218(("甲酵=1",))


def test_cli() -> None:
    r = CliRunner().invoke(cli, ["grade", "gb18218", "液氨=50", "people=30", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["level_zh"] == "三级重大危险源"
    r = CliRunner().invoke(cli, ["grade", "gb18218", "液氨=50", "people=30"])
    assert "R = α·Σβq/Q = 1.2 × 10 = 12" in r.output and "GB 18218-2018" in r.output
    r = CliRunner().invoke(cli, ["grade", "gb18218", "甲酵=1"])
    assert r.exit_code == 2 and "Traceback" not in r.output
