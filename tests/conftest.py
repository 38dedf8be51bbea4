from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
REPORT_DIR = ROOT / "data" / "south-yorkshire-crc-2020"


@pytest.fixture(scope="session")
def report():
    from stats import load_report

    return load_report("south-yorkshire-crc-2020")


@pytest.fixture(scope="session")
def report_text() -> str:
    return (REPORT_DIR / "report.txt").read_text(encoding="utf-8")


@pytest.fixture
def prompts_csv(tmp_path, report):
    """The bundled prompt table as a user's CSV: percentages as published, "No comparable data available"."""
    path = tmp_path / "prompts.csv"
    table = report.prompts.copy()
    table["previous"] = table["previous"].map(lambda x: "No comparable data available" if pd.isna(x) else f"{x:.0f}%")
    table.to_csv(path, index=False)
    return path
