"""METHODS is a registry: a variant registered once is offered everywhere that reads it."""

import numpy as np
import pandas as pd
import pytest

from stats import ChangeTest, label_changes
from stats.change import METHODS, Method, methods_table, pooled_variance, register_method


def doubled_variance(p1, n1, p2, n2, w1, w2):
    """Toy kernel: twice the pooled variance (a design effect of 2)."""
    return 2 * pooled_variance(p1, n1, p2, n2, w1, w2)


@pytest.fixture
def toy():
    method = register_method(
        "pooled-deff2",
        Method(
            doubled_variance,
            False,
            "wald",
            "toy: pooled Z test at deff 2",
            "Z pooled x2",
            {"color": "#999999", "marker": "x", "linestyle": ":"},
        ),
    )
    try:
        yield method
    finally:
        del METHODS["pooled-deff2"]


def test_a_registered_variant_is_offered_everywhere(toy):
    from stats.cli import build_parser
    from stats.exact import compare_methods

    parser = build_parser()
    label = next(a for a in parser._subparsers._group_actions[0].choices["label"]._actions if a.dest == "method")
    assert "pooled-deff2" in label.choices
    t = pd.DataFrame({"previous": [54, 61], "current": [71, 49], "n_previous": 100, "n_current": 100})
    spec = ChangeTest(method="pooled-deff2")
    out = label_changes(t, spec)
    plain = label_changes(t)
    # its statistic is the pooled one over sqrt(2), at the same counts
    np.testing.assert_allclose(out["statistic"], plain["statistic"] / np.sqrt(2), rtol=1e-12)
    assert out.attrs["change_test"].method == "pooled-deff2" and "toy" in spec.describe()
    compared = compare_methods(plain, exact="none")
    assert "pooled-deff2" in compared.columns
    np.testing.assert_allclose(compared["pooled-deff2"], out["pvalue"], rtol=1e-12)
    assert "pooled-deff2" in methods_table() and "doubled_variance" in methods_table()
    assert METHODS["pooled-deff2"].style["marker"] == "x"


def test_a_registered_variant_is_drawn_in_the_method_chart(toy):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from stats.exact import compare_methods
    from stats.render.charts import method_chart

    t = pd.DataFrame({"previous": [54, 61], "current": [65, 49], "n_previous": 100, "n_current": 100})
    plain = label_changes(t)
    fig = method_chart(compare_methods(plain, exact="none"), plain, window=10)
    try:
        legend = {text.get_text() for text in fig.legends[0].get_texts()}
        assert "pooled-deff2" in legend
        markers = {h.get_marker() for h in fig.legends[0].legend_handles}
        assert "x" in markers  # the registry row's own style
    finally:
        plt.close(fig)


def test_guards_refuse_a_kernel_they_have_no_formula_for(toy):
    from stats.power import power_of_change

    with pytest.raises(
        ValueError, match=r"pooled and unpooled variances \(method 'pooled-deff2' uses doubled_variance\)"
    ):
        power_of_change(0.1, 100, 100, test=ChangeTest(method="pooled-deff2"))


def test_register_method_checks_its_row():
    with pytest.raises(ValueError, match=r"name must be a new method name \(got 'pooled'"):
        register_method("pooled", METHODS["pooled"])
    with pytest.raises(ValueError, match=r"method.interval \('exact'\) must be one of"):
        register_method("x", Method(pooled_variance, False, "exact", "x", "x"))
    assert "x" not in METHODS


def test_every_row_has_a_display_name_and_a_chart_style():
    for name, m in METHODS.items():
        assert m.display and {"color", "marker", "linestyle"} <= set(m.style), name
