from pathlib import Path

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
