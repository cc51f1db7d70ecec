"""The major hidden danger's report and plan (总局令第16号 第十四、十五条), the supervised path (第十八条),
expert/regulator judgement, and hidden dangers no control covers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from dualprev_core.errors import InvalidInput, TransitionRejected
from dualprev_core.hidden_dangers.ledger import (
    PLAN_CONTENTS,
    REPORT_CONTENTS,
    REVIEW_DAYS,
    CriterionRef,
    HiddenDangerState,
    Ledger,
    MajorHiddenDangerReport,
    RectificationPlan,
    SupervisionState,
)
from dualprev_core.provenance import Citation

CST = timezone(timedelta(hours=8))
T0 = datetime(2027, 3, 1, 8, tzinfo=CST)
CRIT = CriterionRef(criterion_id="chem-121-05", pack="chemical", pack_version="1", citation=Citation("安监总管三〔2017〕121号", clause="第5项"))
FIVE = {"responsible_person": "厂长", "measures": ["加装紧急切断阀"], "funds_amount": 80000, "deadline": T0 + timedelta(days=30),
        "contingency_plan": "罐区停用，泄漏处置预案"}
SIX = {**FIVE, "objectives": ["罐区具备紧急切断功能"], "tasks": ["设计", "安装", "联调"], "materials": "阀门已采购",
       "organisation": "设备工程部", "requirements": "按设计施工并经验收", "safety_measures": "撤出无关人员，设警戒区"}
REPORT = {"current_state": "液氨罐区二级重大危险源未设紧急切断", "cause": "设计缺陷", "harm": "泄漏中毒可致群死群伤",
          "difficulty": "需局部停产施工，约30天"}
DOC = {"title": "重大事故隐患挂牌督办通知书", "number": "某应急督〔2027〕3号", "issued_by": "某市应急管理局", "date": "2027-03-02"}


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def major(ledger: Ledger | None = None) -> Ledger:
    led = ledger or Ledger()
    led.report(control_id="C-ESV", finding="missing", source="inspection:I-1", description="无紧急切断", owner_level="workshop",
               by="li", at=T0, deadline=at(24 * 60), hd_id="HD-1")
    led.assess("HD-1", grade="major", criteria=[CRIT], by="wang", at=at(1))
    return led


# ---------------------------------------------------------------- the regulation's contents, pinned


def test_plan_contents_are_the_six_of_article_15() -> None:
    assert [zh for _k, zh, _f in PLAN_CONTENTS] == [
        "治理的目标和任务", "采取的方法和措施", "经费和物资的落实", "负责治理的机构和人员", "治理的时限和要求", "安全措施和应急预案"]


def test_report_contents_are_the_three_of_article_14() -> None:
    assert [zh for _k, zh, _f in REPORT_CONTENTS] == ["隐患的现状及其产生原因", "隐患的危害程度和整改难易程度分析", "隐患的治理方案"]


def test_review_period_is_ten_days() -> None:
    assert REVIEW_DAYS == 10


# ---------------------------------------------------------------- plan


def test_a_major_plan_needs_the_six_contents_and_the_refusal_names_them() -> None:
    led = major()
    with pytest.raises(TransitionRejected) as info:
        led.approve_plan("HD-1", plan=FIVE, by="boss", at=at(2))
    text = str(info.value)
    assert "治理的目标和任务" in text and "objectives" in text and "materials" in text and "安全措施和应急预案" in text
    with pytest.raises(TransitionRejected, match="cannot start rectifying.*no plan approved"):
        led.start_rectifying("HD-1", by="li", at=at(2))
    led.approve_plan("HD-1", plan=SIX, by="boss", at=at(2))
    assert led.start_rectifying("HD-1", by="li", at=at(3)).state is HiddenDangerState.RECTIFYING


def test_a_general_plan_still_needs_only_the_five() -> None:
    led = Ledger()
    led.report(control_id="C", finding="weakened", source="x", description="d", owner_level="post", by="li", at=T0, deadline=at(5))
    led.assess("HD-C-1", grade="general", by="w", at=at(1))
    assert led.approve_plan("HD-C-1", plan=FIVE, by="b", at=at(2)).state is HiddenDangerState.PLAN_APPROVED


def test_plan_json_keeps_the_five_implementation_shape_unless_set() -> None:
    assert set(RectificationPlan.from_mapping(FIVE).to_dict()) == {
        "responsible_person", "measures", "funds_amount", "funds_source", "deadline", "contingency_plan"}
    six = RectificationPlan.from_mapping(SIX)
    assert RectificationPlan.from_mapping(six.to_dict()) == six and six.is_complete_for_major
    with pytest.raises(InvalidInput, match="did you mean 'objectives'"):
        RectificationPlan.from_mapping({**FIVE, "objective": ["x"]})


# ---------------------------------------------------------------- report


def test_report_refused_until_complete_naming_what_is_missing() -> None:
    led = major()
    with pytest.raises(TransitionRejected) as info:
        led.submit_report("HD-1", report={"current_state": "x"}, by="厂长", at=at(2))
    text = str(info.value)
    assert "cause (隐患的现状及其产生原因)" in text and "harm" in text and "difficulty" in text and "plan (隐患的治理方案" in text
    assert led.get("HD-1").report_due
    led.approve_plan("HD-1", plan=SIX, by="boss", at=at(2))
    with pytest.raises(TransitionRejected, match="harm"):
        led.submit_report("HD-1", report={**REPORT, "harm": " "}, by="厂长", at=at(3))
    hd = led.submit_report("HD-1", report=REPORT, by="厂长", at=at(3))
    assert hd.reported_to == ("regulator",) and hd.report == MajorHiddenDangerReport(**REPORT) and not hd.report_due
    hd = led.submit_report("HD-1", report=REPORT, recipient="workers_congress", by="厂长", at=at(4))
    assert hd.reported_to == ("regulator", "workers_congress")


def test_a_general_hidden_danger_has_no_major_report() -> None:
    led = Ledger()
    led.report(control_id="C", finding="weakened", source="x", description="d", owner_level="post", by="li", at=T0, deadline=at(5))
    led.assess("HD-C-1", grade="general", by="w", at=at(1))
    with pytest.raises(TransitionRejected, match="major hidden danger only"):
        led.submit_report("HD-C-1", report=REPORT, by="x", at=at(2))


# ---------------------------------------------------------------- the supervised path


def rectified(led: Ledger) -> None:
    led.approve_plan("HD-1", plan=SIX, by="boss", at=at(2))
    led.submit_report("HD-1", report=REPORT, by="厂长", at=at(3))
    led.list_supervision("HD-1", authority="某市应急管理局", document=DOC, by="监察员张", at=at(24), deadline=at(24 * 40))
    led.order_suspension("HD-1", scope="partial: 液氨罐区", document={"title": "责令停产停业整改指令书"}, by="监察员张", at=at(24))
    led.start_rectifying("HD-1", by="li", at=at(25))
    led.rectify("HD-1", measures=["紧急切断阀安装调试完毕"], by="li", at=at(24 * 20))


def test_supervised_path_in_order_with_its_documents() -> None:
    led = major()
    rectified(led)
    hd = led.get("HD-1")
    assert hd.supervision is SupervisionState.LISTED and hd.suspended and hd.suspension_ordered and hd.deadline == at(24 * 40)
    with pytest.raises(TransitionRejected, match="passed post-rectification assessment"):
        led.apply_to_resume("HD-1", document={"title": "恢复生产申请"}, by="厂长", at=at(24 * 20 + 1))
    with pytest.raises(TransitionRejected, match="regulator ordered the suspension"):
        led.resume_production("HD-1", by="厂长", why="done", at=at(24 * 20 + 1))
    led.assess_remediation("HD-1", assessor="agency", agency="某安全评价公司", qualification="APJ-001", passed=True,
                           conclusion="符合安全生产条件", document={"title": "评价报告"}, by="评价师", at=at(24 * 21))
    led.apply_to_resume("HD-1", document={"title": "恢复生产申请"}, by="厂长", at=at(24 * 21 + 1))
    assert led.get("HD-1").supervision is SupervisionState.APPLIED
    led.verify("HD-1", passed=True, by="zhao", at=at(24 * 22))
    with pytest.raises(TransitionRejected, match="still suspended"):
        led.close("HD-1", by="zhao", at=at(24 * 22))
    led.review_resumption("HD-1", passed=True, document={"title": "复产审查意见"}, by="监察员张", at=at(24 * 25))
    hd = led.get("HD-1")
    assert hd.supervision is SupervisionState.LIFTED and not hd.review_late
    led.resume_production("HD-1", by="厂长", why="审查合格", at=at(24 * 25 + 1))
    assert led.close("HD-1", by="zhao", at=at(24 * 25 + 2)).state is HiddenDangerState.CLOSED


def test_failed_review_sends_it_back_and_a_late_review_is_recorded() -> None:
    led = major()
    rectified(led)
    led.assess_remediation("HD-1", assessor="own", experts=["总工", "外聘专家王"], passed=True, conclusion="合格",
                           document={"title": "评估报告"}, by="总工", at=at(24 * 21))
    led.apply_to_resume("HD-1", document={"title": "恢复生产申请"}, by="厂长", at=at(24 * 21))
    with pytest.raises(TransitionRejected, match="why"):
        led.review_resumption("HD-1", passed=False, document={"title": "审查意见"}, by="监察员", at=at(24 * 35))
    hd = led.review_resumption("HD-1", passed=False, document={"title": "审查意见"}, by="监察员", at=at(24 * 35), why="切断阀未联调")
    assert hd.state is HiddenDangerState.RECTIFYING and hd.supervision is SupervisionState.LISTED and hd.review_late
    assert hd.assessment is None and hd.application is None


def test_assessment_by_an_agency_names_it_and_own_names_the_experts() -> None:
    led = major()
    rectified(led)
    with pytest.raises(InvalidInput, match="qualification"):
        led.assess_remediation("HD-1", assessor="agency", agency="A", passed=True, conclusion="c", document={"title": "t"}, by="x", at=at(24 * 21))
    with pytest.raises(InvalidInput, match="experts"):
        led.assess_remediation("HD-1", assessor="own", passed=True, conclusion="c", document={"title": "t"}, by="x", at=at(24 * 21))
    with pytest.raises(InvalidInput, match="title"):
        led.assess_remediation("HD-1", assessor="own", experts=["e"], passed=True, conclusion="c", document={"number": "1"}, by="x", at=at(24 * 21))


def test_a_supervised_hidden_danger_closes_only_after_the_review() -> None:
    led = major()
    led.approve_plan("HD-1", plan=SIX, by="boss", at=at(2))
    led.list_supervision("HD-1", authority="局", document=DOC, by="x", at=at(3))
    led.start_rectifying("HD-1", by="li", at=at(4))
    led.rectify("HD-1", measures=["done"], by="li", at=at(5))
    led.verify("HD-1", passed=True, by="zhao", at=at(6))
    with pytest.raises(TransitionRejected, match="supervision.*核销"):
        led.close("HD-1", by="zhao", at=at(7))
    led.assess_remediation("HD-1", assessor="own", experts=["e"], passed=True, conclusion="c", document={"title": "t"}, by="x", at=at(7))
    with pytest.raises(TransitionRejected, match="ordered no suspension"):
        led.apply_to_resume("HD-1", document={"title": "申请"}, by="厂长", at=at(8))
    led.review_resumption("HD-1", passed=True, document={"title": "摘牌意见"}, by="监察员", at=at(9))  # no suspension: review lifts it
    assert led.close("HD-1", by="zhao", at=at(10)).state is HiddenDangerState.CLOSED


def test_supervision_only_for_major_and_assessment_only_after_rectification() -> None:
    led = Ledger()
    led.report(control_id="C", finding="weakened", source="x", description="d", owner_level="post", by="li", at=T0, deadline=at(5))
    led.assess("HD-C-1", grade="general", by="w", at=at(1))
    with pytest.raises(TransitionRejected, match="major"):
        led.list_supervision("HD-C-1", authority="局", document=DOC, by="x", at=at(2))
    led = major()
    led.list_supervision("HD-1", authority="局", document=DOC, by="x", at=at(2))
    with pytest.raises(TransitionRejected, match="it is assessed"):
        led.assess_remediation("HD-1", assessor="own", experts=["e"], passed=True, conclusion="c", document={"title": "t"}, by="x", at=at(3))
    with pytest.raises(TransitionRejected, match="already under supervision"):
        led.list_supervision("HD-1", authority="局", document=DOC, by="x", at=at(3))


# ---------------------------------------------------------------- expert and regulator judgement


def general(led: Ledger) -> None:
    led.report(control_id="C", finding="failed", source="x", description="d", owner_level="post", by="li", at=T0, deadline=at(48))
    led.assess("HD-C-1", grade="general", by="w", at=at(1))


@pytest.mark.parametrize("basis", ["expert", "regulator"])
def test_judgement_grades_major_recorded_distinctly(basis: str) -> None:
    led = Ledger()
    general(led)
    with pytest.raises(TransitionRejected, match="reasons"):
        led.regrade("HD-C-1", grade="major", basis=basis, by="专家李", why="", at=at(2))
    with pytest.raises(TransitionRejected, match="names no criteria"):
        led.regrade("HD-C-1", grade="major", basis=basis, criteria=[CRIT], by="专家李", why="w", at=at(2))
    hd = led.regrade("HD-C-1", grade="major", basis=basis, by="专家李", why="需停产治理", at=at(2))
    assert hd.is_major and hd.criteria == () and hd.grade_basis == basis
    (j,) = hd.judgements
    assert (j.basis, j.by, j.why, j.at) == (basis, "专家李", "需停产治理", at(2))
    assert led.to_jsonl_text().count(f'"basis": "{basis}"') == 1
    with pytest.raises(TransitionRejected, match="upward only"):
        led.regrade("HD-C-1", grade="general", basis=basis, by="x", why="y", at=at(3))


def test_criterion_regrade_keeps_its_original_json_shape() -> None:
    led = Ledger()
    general(led)
    led.regrade("HD-C-1", grade="major", criteria=[CRIT], by="w", why="new facts", at=at(2))
    assert '"basis"' not in led.to_jsonl_text()
    with pytest.raises(InvalidInput, match="basis"):
        led.regrade("HD-C-1", grade="major", basis="gut", by="w", why="x", at=at(3))


# ---------------------------------------------------------------- hidden dangers without a control


def test_a_finding_no_control_covers_opens_on_its_subject() -> None:
    led = Ledger()
    hd = led.report(subject="area:A-TANK", finding="missing", source="inspection:I-9", description="罐区无安全警示标志",
                    owner_level="workshop", by="li", at=T0)
    assert hd.id == "HD-A-TANK-1" and hd.control_id is None and hd.subject == "area:A-TANK"
    assert led.open_on_control("A-TANK") == ()
    back = Ledger.from_jsonl(__import__("io").StringIO(led.to_jsonl_text()))
    assert back.get(hd.id) == hd
    with pytest.raises(InvalidInput, match="exactly one"):
        led.report(control_id="C", subject="area:A", finding="failed", source="x", description="d", owner_level="post", by="l", at=T0)
    with pytest.raises(InvalidInput, match="area:<id>"):
        led.report(subject="floor:3", finding="failed", source="x", description="d", owner_level="post", by="l", at=T0)


def test_assessment_opens_subject_hidden_dangers_with_their_effect() -> None:
    from dualprev_core.assessment.assessment import Assessment
    from dualprev_core.assessment.report import hidden_danger_summary
    from dualprev_core.loading.enterprise import parse_enterprise

    doc: dict[str, Any] = {
        "format": "dualprev-enterprise/1", "enterprise": {"id": "E", "name": "e"},
        "areas": [{"id": "A", "name": "a"}],
        "risks": [{"id": "R", "name": "r", "area": "A", "category": "fire", "method": "ls", "inputs": {"L": 2, "S": 2}}],
    }
    a = Assessment(parse_enterprise(doc))
    before = a.current_levels()
    hd = a.open_hidden_danger_on("area:A", source="inspection:X", at=T0, description="安全管理制度缺失")
    assert hd.grade is not None and hd.risk_ids == ("R",)
    assert a.current_levels() == before
    assert "no risk's current level moves" in hidden_danger_summary(hd)["effect_on_levels"]
    with pytest.raises(Exception, match="not area"):
        a.open_hidden_danger_on("area:NOPE", source="s", at=T0, description="d")


# ---------------------------------------------------------------- command line


def test_cli_major_path(tmp_path: Any) -> None:
    import json

    import yaml
    from click.testing import CliRunner

    from dualprev_core.cli.app import cli

    ledger = tmp_path / "l.jsonl"
    major().to_jsonl(ledger)
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump({**SIX, "deadline": SIX["deadline"].isoformat()}, allow_unicode=True), encoding="utf-8")
    (tmp_path / "five.yaml").write_text(yaml.safe_dump({**FIVE, "deadline": FIVE["deadline"].isoformat()}, allow_unicode=True), encoding="utf-8")
    (tmp_path / "report.yaml").write_text(yaml.safe_dump(REPORT, allow_unicode=True), encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump({"current_state": "x"}, allow_unicode=True), encoding="utf-8")
    base = ["hidden-dangers", "transition", "--ledger", str(ledger), "HD-1"]

    def run(*args: str) -> Any:
        return CliRunner().invoke(cli, [*base, *args])

    r = run("approve-plan", "--plan", str(tmp_path / "five.yaml"), "--by", "boss", "--at", at(2).isoformat())
    assert r.exit_code == 2 and "治理的目标和任务" in r.output
    r = run("report", "--report", str(tmp_path / "bad.yaml"), "--by", "厂长", "--at", at(2).isoformat())
    assert r.exit_code == 2 and "cause" in r.output and "plan" in r.output
    assert run("approve-plan", "--plan", str(tmp_path / "plan.yaml"), "--by", "boss", "--at", at(2).isoformat()).exit_code == 0
    assert run("report", "--report", str(tmp_path / "report.yaml"), "--by", "厂长", "--at", at(3).isoformat()).exit_code == 0
    r = run("supervise", "--by", "监察员", "--at", at(4).isoformat())
    assert r.exit_code == 2 and "--authority" in r.output
    r = run("supervise", "--authority", "某市应急管理局", "--by", "监察员", "--at", at(4).isoformat())
    assert r.exit_code == 2 and "--doc-title" in r.output
    r = run("supervise", "--authority", "某市应急管理局", "--doc-title", "挂牌督办通知书", "--doc-number", "督〔2027〕3号",
            "--by", "监察员", "--at", at(4).isoformat(), "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["supervision"] == "listed" and data["reported_to"] == ["regulator"] and data["plan"]["organisation"] == "设备工程部"


def test_cli_expert_regrade_and_open_on_subject(tmp_path: Any) -> None:
    import json
    from pathlib import Path

    from click.testing import CliRunner

    from dualprev_core.cli.app import cli

    ledger = tmp_path / "l.jsonl"
    led = Ledger()
    general(led)
    led.to_jsonl(ledger)
    r = CliRunner().invoke(cli, ["hidden-dangers", "transition", "--ledger", str(ledger), "HD-C-1", "regrade", "--grade", "major",
                                 "--basis", "expert", "--by", "专家王", "--why", "需全面停产治理", "--at", at(3).isoformat(), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["grade"] == "major" and data["grade_basis"] == "expert" and data["judgements"][0]["by"] == "专家王"
    example = Path(__file__).resolve().parents[1] / "examples" / "enterprise.yaml"
    r = CliRunner().invoke(cli, ["hidden-dangers", "open", "--ledger", str(ledger), "-e", str(example), "--subject", "area:A-TANK",
                                 "--description", "罐区安全警示标志缺失", "--by", "li", "--at", at(4).isoformat(), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["subject"] == "area:A-TANK"
    r = CliRunner().invoke(cli, ["hidden-dangers", "open", "--ledger", str(ledger), "-e", str(example), "--subject", "area:A-TANKK",
                                 "--description", "x", "--by", "li"])
    assert r.exit_code == 2 and "A-TANK" in r.output


# ---------------------------------------------------------------- the document


def test_rendered_report_shows_every_content_and_marks_what_is_missing(tmp_path: Any) -> None:
    from dualprev_core.outputs.major_report import major_report_html, major_report_record

    draft = major()
    rec = major_report_record(draft.get("HD-1"))
    assert rec["draft"] and len(rec["plan_missing"]) == 6 and len(rec["report_missing"]) == 4
    html = major_report_html(draft.get("HD-1"))
    assert html.count("（缺）") == 15 and "尚未报送" in html
    led = major()
    rectified(led)
    html = major_report_html(led.get("HD-1"), enterprise_name="某化工有限公司")
    for text in ("隐患的现状及其产生原因", "隐患的危害程度和整改难易程度分析", "隐患的治理方案", *[zh for _k, zh, _f in PLAN_CONTENTS],
                 REPORT["current_state"], SIX["organisation"], "挂牌督办", DOC["number"], "责令停产停业整改", "安监总管三〔2017〕121号 第5项"):
        assert text in html, text
    assert "（缺）" not in html and "尚缺内容" not in html


def test_cli_render_html_and_json(tmp_path: Any) -> None:
    import json

    from click.testing import CliRunner

    from dualprev_core.cli.app import cli

    ledger = tmp_path / "l.jsonl"
    led = major()
    rectified(led)
    led.to_jsonl(ledger)
    out = tmp_path / "r.html"
    r = CliRunner().invoke(cli, ["hidden-dangers", "render", "HD-1", "--ledger", str(ledger), "--html", str(out)])
    assert r.exit_code == 0, r.output
    assert "重大事故隐患报告" in out.read_text(encoding="utf-8")
    r = CliRunner().invoke(cli, ["hidden-dangers", "render", "HD-1", "--ledger", str(ledger), "--json"])
    assert json.loads(r.output)["supervision"] == "挂牌督办中"
    r = CliRunner().invoke(cli, ["hidden-dangers", "render", "HD-9", "--ledger", str(ledger)])
    assert r.exit_code == 2 and "HD-1" in r.output


def test_report_prints_to_pdf(tmp_path: Any) -> None:
    from services import require_chromium

    require_chromium()
    from dualprev_core.outputs.browser import html_to_pdf
    from dualprev_core.outputs.major_report import major_report_html

    led = major()
    rectified(led)
    pdf = html_to_pdf(major_report_html(led.get("HD-1")), tmp_path / "r.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 10_000


def test_events_on_controls_keep_their_original_json_shape() -> None:
    """Stored events (files, the store's hash chain) must read and write back byte for byte."""
    import json

    led = major()
    for line in led.to_jsonl_text().splitlines():
        d = json.loads(line)
        assert "subject" not in d and "basis" not in d
    assert Ledger.from_jsonl(__import__("io").StringIO(led.to_jsonl_text())).to_jsonl_text() == led.to_jsonl_text()
