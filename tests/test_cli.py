import json
import subprocess
import sys

import pandas as pd
import pytest

from stats.cli import main
from stats.tables import INTERVAL_COLUMNS, OUTPUT_COLUMNS

LABEL_COLUMNS = [*OUTPUT_COLUMNS[:5], *INTERVAL_COLUMNS, *OUTPUT_COLUMNS[5:]]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_main_job_prints_design_labels_totals_and_method(capsys):
    code, out, err = run(capsys)
    assert code == 0 and err == ""
    assert "1. Sample design" in out and "248-254" in out
    assert "2. Prompt table (Annexe 4): 76 prompts" in out
    assert out.count("significant improvement") >= 15
    assert (
        "Totals: significant improvement: 15; significant decline: 2; no significant change: 34; no comparable data: 25"
        in out
    )
    assert "Key questions" in out
    assert (
        "Test: two-sided pooled two-proportion Z test, alpha = 0.1; significant when p <= alpha; 90% score interval"
        in out
    )
    flat = " ".join(out.split())  # the method lines are wrapped
    assert "previous denominators: assumed for 76 of 76 prompts (assumed: equal to the current n" in flat
    assert "case supervision 100, harm 85, post-release 42, unpaid work 35, through the gate 24" in flat


def test_python_m_stats_runs_as_a_module():
    proc = subprocess.run([sys.executable, "-m", "stats", "--help"], capture_output=True, text=True, check=True)
    for command in ("report", "sample-size", "margin", "compare", "label", "design"):
        assert command in proc.stdout


def test_sample_size_margin_compare(capsys):
    assert run(capsys, "sample-size", "--population", "250")[1] == "100\n"
    assert run(capsys, "sample-size")[1] == "165\n"
    _code, out, _ = run(capsys, "sample-size", "--population", "250", "--json")
    assert json.loads(out)["n"] == 100
    _code, out, _ = run(capsys, "margin", "--n", "100", "--population", "250")
    assert out.startswith("0.0497")
    _code, out, _ = run(capsys, "compare", "0.54", "100", "0.71", "100")
    assert "2.4830" in out and "0.01303" in out and "significant improvement" in out and "+17.0 points" in out
    _code, out, _ = run(capsys, "compare", "0.54", "100", "0.71", "100", "--json")
    data = json.loads(out)
    assert data["statistic"] == pytest.approx(2.483009, abs=1e-6) and data["label"] == "significant improvement"


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["compare", "54", "100", "71", "100"],
            "previous must be a proportion in [0, 1] (got 54.0); did you pass a percentage?",
        ),
        (["sample-size", "--margin", "5"], "margin must be in (0, 0.5]"),
        (["margin", "--n", "300", "--population", "250"], "n must not exceed population"),
        (["report", "--report", "nowhere"], "must be one of the bundled reports"),
    ],
)
def test_bad_values_exit_2_with_message(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err


@pytest.mark.parametrize(
    "argv", [["compare", "0.5", "ten", "0.6", "100"], ["frobnicate"], ["sample-size", "--method", "x"]]
)
def test_bad_arguments_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "error" in capsys.readouterr().err


def test_label_csv_round_trip(capsys, prompts_csv, tmp_path):
    out_path = tmp_path / "labelled.csv"
    code, out, err = run(capsys, "label", str(prompts_csv), "--format", "csv", "-o", str(out_path))
    assert code == 0 and out == "" and err == ""
    original = pd.read_csv(prompts_csv, dtype=str, keep_default_na=False)
    labelled = pd.read_csv(out_path, dtype=str, keep_default_na=False)
    assert list(labelled.columns) == list(original.columns) + LABEL_COLUMNS
    pd.testing.assert_frame_equal(labelled[original.columns], original)
    assert (labelled["label"] == "significant improvement").sum() == 15
    # labelling the labelled file again gives the same result (output columns are replaced)
    again = tmp_path / "again.csv"
    assert run(capsys, "label", str(out_path), "--format", "csv", "-o", str(again))[0] == 0
    assert again.read_text() == out_path.read_text()


@pytest.mark.parametrize("fmt", ["table", "markdown", "json"])
def test_label_formats(capsys, prompts_csv, fmt):
    code, out, _ = run(capsys, "label", str(prompts_csv), "--format", fmt)
    assert code == 0
    if fmt == "json":
        rows = json.loads(out)
        assert len(rows) == 76 and rows[1]["significant"] is None and rows[0]["significant"] is True
    elif fmt == "markdown":
        assert out.startswith("Test: two-sided pooled two-proportion Z test, alpha = 0.1")
        assert out.splitlines()[3].startswith("| ---") and len(out.splitlines()) == 80
    else:
        assert "significant improvement" in out


def test_label_errors_leave_no_output(capsys, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("previous,current,n_previous,n_current\n54%,71%,100,100\n54%,lots,100,100\n")
    out_path = tmp_path / "out.csv"
    code, _out, err = run(capsys, "label", str(bad), "--format", "csv", "-o", str(out_path))
    assert code == 2 and "row 2, column 'current': 'lots' is not a percentage" in err
    assert not out_path.exists()
    missing = tmp_path / "missing.csv"
    missing.write_text("previous,current,n_current\n54,71,100\n")
    code, _, err = run(capsys, "label", str(missing), "-o", str(out_path))
    assert code == 2 and "table has no column 'n_previous'" in err and not out_path.exists()
    code, _, err = run(capsys, "label", str(tmp_path / "nope.csv"))
    assert code == 2 and "no such file" in err
    good = tmp_path / "good.csv"
    good.write_text("previous,current,n_previous,n_current\n54%,71%,100,100\n")
    code, _, err = run(capsys, "label", str(good), "-o", str(tmp_path / "no-such-dir" / "out.csv"))
    assert code == 2 and "error" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "good.csv", "missing.csv"]


def test_main_job_does_not_import_heavy_modules():
    # statsmodels, matplotlib and scipy.stats are imported lazily, only by the functions that need them.
    code = (
        "import sys, io, contextlib; from stats.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): main([])\n"
        "print(sorted(m for m in ('statsmodels', 'matplotlib', 'scipy.stats') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


# ---- the report command in a terminal: main points first, the terminal's width, --brief/--full ------------


def _width_and_lines(text):
    lines = text.splitlines()
    return max(map(len, lines)), len(lines)


@pytest.mark.parametrize("columns", [80, 100, 140])
def test_report_text_fits_the_terminal_width(capsys, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    code, out, err = run(capsys, "report")
    assert code == 0 and err == ""
    width, _ = _width_and_lines(out)
    assert width <= columns
    flat = " ".join(out.split())
    import stats
    from stats.summary import summarise

    for prompt in summarise(stats.load_report()).prompts["prompt"]:  # wrapped, never cut
        assert " ".join(prompt.split()) in flat


def test_report_opens_with_the_main_points_in_its_first_screen(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    _, out, _ = run(capsys, "report")
    first = out.splitlines()[:50]  # a tall terminal's first screen
    assert any(line == "Main points" for line in first)
    import stats
    from stats.summary import summarise

    points = summarise(stats.load_report()).main_points
    top = points.changes[0]
    assert f"Key question {top.id} ({top.standard_name}):" in " ".join(" ".join(first).split())
    assert out.index("Main points") < out.index("1. Sample design") < out.index("2. Prompt table")


def test_brief_prints_the_main_points_and_ratings_only(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    code, brief, _ = run(capsys, "report", "--brief")
    _, full, _ = run(capsys, "report", "--full")
    _, default, _ = run(capsys, "report")
    assert code == 0 and default == full  # full by default: nothing is left out unless asked
    assert "Main points" in brief and "Total 20/30, Good" in brief and "--full" in brief
    assert "2. Prompt table" not in brief and "1. Sample design" not in brief
    assert _width_and_lines(brief)[0] <= 80 and _width_and_lines(brief)[1] < _width_and_lines(full)[1] / 2
    code, _, err = run(capsys, "report", "--brief", "--format", "json")
    assert code == 2 and "--brief applies to --format text only (got --format json)" in err
    with pytest.raises(SystemExit) as exit_:
        main(["report", "--brief", "--full"])
    assert exit_.value.code == 2 and "not allowed with argument" in capsys.readouterr().err
