import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from stats import label_changes
from stats.plots import change_chart


def test_change_chart_on_report(report):
    labelled = label_changes(report.prompts)
    fig = change_chart(labelled)
    ax1, ax2 = fig.axes
    testable = labelled["previous"].notna() & labelled["current"].notna()
    assert len(ax1.get_yticklabels()) == testable.sum() == 51
    # forest panel: one CI segment per testable row; significant rows in colour
    assert len(ax2.lines) >= 51
    offsets = ax2.collections[0].get_offsets()
    np.testing.assert_allclose(offsets[:, 0], 100 * labelled.loc[testable, "difference"])
    assert {t.get_text() for t in ax2.texts} == {"2.1", "2.2", "2.3", "2.4", "4.2"}
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_change_chart_errors(report):
    with pytest.raises(ValueError, match=r"labelled has no column 'label'"):
        change_chart(report.prompts)
    with pytest.raises(ValueError, match=r"carries no test specification"):
        stripped = label_changes(report.prompts)
        stripped.attrs = {}
        change_chart(stripped)
    untestable = label_changes(report.prompts[report.prompts["previous"].isna()])
    with pytest.raises(ValueError, match=r"no testable rows"):
        change_chart(untestable)
