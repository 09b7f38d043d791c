"""The command line: content summary, phase-aware assess, init-db, and exit 2 on bad input."""

from __future__ import annotations

import json

import pytest

from bench.commands import run_cli
from diagnostics import cli
from diagnostics.framework.content import load_content
from diagnostics.storage import store

CONTENT = load_content()
START_IDS = [q.id for q in CONTENT.questions if q.phase == "start"]
DURING_IDS = [q.id for q in CONTENT.questions if q.phase == "during"]
DECISION_IDS = [q.id for q in CONTENT.questions if q.phase == "decision"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def write(tmp_path, data) -> str:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_content_summary(capsys) -> None:
    status, out, _ = run(capsys, "content")
    summary = json.loads(out)
    assert status == 0
    assert summary["reasons"] == 6
    assert summary["checklist_items"] == 19
    assert summary["checklist_per_phase"] == {"start": 7, "during": 6, "decision": 6}
    assert summary["stages"] == 4
    assert summary["symptoms"] == 6


def test_phase_start_all_start_yes_is_ready_whatever_later_answers_say(capsys, tmp_path) -> None:
    answers = dict.fromkeys(START_IDS, "yes") | dict.fromkeys(DURING_IDS + DECISION_IDS, "no")
    status, out, _ = run(capsys, "assess", write(tmp_path, answers), "--phase", "start", "--json")
    result = json.loads(out)
    assert status == 0
    assert result["phase"] == "start"
    assert result["verdict"] == "ready_to_start"
    assert result["decision"] == "proceed"
    assert result["scored_questions"] == START_IDS
    assert set(result["upcoming_questions"]) == set(DURING_IDS + DECISION_IDS)
    assert result["overall"] == 100.0


def test_phase_during_never_stops(capsys, tmp_path) -> None:
    path = write(tmp_path, dict.fromkeys(CONTENT.questions_by_id, "no"))
    status, out, _ = run(capsys, "assess", path, "--phase", "during", "--json")
    result = json.loads(out)
    assert (status, result["phase"], result["verdict"]) == (0, "during", "at_risk")
    assert set(result["scored_questions"]) == set(START_IDS + DURING_IDS)
    assert set(result["upcoming_questions"]) == set(DECISION_IDS)


def test_phase_decision_mostly_no_stops(capsys, tmp_path) -> None:
    path = write(tmp_path, dict.fromkeys(CONTENT.questions_by_id, "no"))
    status, out, _ = run(capsys, "assess", path, "--phase", "decision", "--json")
    result = json.loads(out)
    assert (status, result["phase"], result["decision"]) == (0, "decision", "stop")
    assert result["upcoming_questions"] == []
    assert result["readiness"] == dict.fromkeys(result["readiness"], 0.0)


def test_left_out_questions_are_reported_as_unanswered(capsys, tmp_path) -> None:
    path = write(tmp_path, {"bp_problem_statement": "Yes"})
    status, out, _ = run(capsys, "assess", path, "--phase", "start")
    assert status == 0
    assert "Unanswered (14)" in out  # 15 start questions, one answered
    assert "Verdict: Fix before starting (fix_first)" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"no_such_question": "yes"}, "unknown question ids: no_such_question"),
        ({"bp_problem_statement": "perhaps"}, "bp_problem_statement='perhaps'"),
        ({"bp_problem_statement": "na"}, "N/A is not allowed for: bp_problem_statement"),
        (["yes"], "expected a JSON object"),
    ],
)
def test_bad_answers_exit_2_naming_the_problem(capsys, tmp_path, content, message) -> None:
    status, out, err = run(capsys, "assess", write(tmp_path, content), "--json")
    assert status == 2
    assert out == ""
    assert message in err


def test_unreadable_files_exit_2(capsys, tmp_path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    status, _, err = run(capsys, "assess", str(broken))
    assert status == 2
    assert "is not valid JSON" in err
    status, _, err = run(capsys, "assess", str(tmp_path / "missing.json"))
    assert status == 2
    assert "file not found" in err


def test_init_db_demo_creates_schema_and_demo_data_once(capsys, sqlite_url) -> None:
    status, out, _ = run(capsys, "init-db", "--demo", "--database-url", sqlite_url)
    assert status == 0
    assert "Demo data added." in out
    engine = store.make_engine(sqlite_url)
    try:
        assert store.current_revision(engine) == store.head_revision()
        pilots = store.list_pilots(engine)
        assert len(pilots) >= 3
        assert any(len(store.pilot_assessments(engine, p.id)) > 1 for p in pilots)
        status, out, _ = run(capsys, "init-db", "--demo", "--database-url", sqlite_url)
        assert (status, "Demo data already present." in out) == (0, True)
        assert len(store.list_pilots(engine)) == len(pilots)
    finally:
        engine.dispose()


def test_the_real_command_exits_2_on_bad_input(tmp_path) -> None:
    path = write(tmp_path, {"bp_problem_statement": "maybe"})
    done = run_cli("assess", path, "--phase", "decision", timeout=60)
    assert done.returncode == 2
    assert "bp_problem_statement='maybe'" in done.stderr
    bad_phase = run_cli("assess", path, "--phase", "later", timeout=60)
    assert bad_phase.returncode == 2  # argparse's own usage error
    assert "invalid choice" in bad_phase.stderr
