"""seqlib.viz: each plot draws what it says, on the Axes it returns, and rejects bad input."""

import matplotlib

matplotlib.use("Agg")  # no window: the tests run headless

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from seqlib.train import History  # noqa: E402
from seqlib.viz import heatmap, plot_curves, plot_gradient_flow, plot_history  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# ---------------------------------------------------------------------------------------------
# plot_gradient_flow
# ---------------------------------------------------------------------------------------------


def test_gradient_flow_is_log_scale_by_distance():
    curves = {
        "rnn": torch.tensor([1.0, 0.1, 1e-30, 0.0]),
        "attention": np.array([1.0, 0.5, 0.5, 0.5]),
    }
    ax = plot_gradient_flow(curves, title="flow")
    assert ax.get_yscale() == "log"
    assert ax.get_title() == "flow"
    assert "T - t" in ax.get_xlabel() and r"\partial h_T" in ax.get_ylabel()
    rnn, attention = ax.get_lines()
    np.testing.assert_array_equal(rnn.get_xdata(), [0, 1, 2, 3])  # x is the distance
    y = np.asarray(rnn.get_ydata(), dtype=float)
    assert y[2] == pytest.approx(1e-30)  # an underflowing gradient is still drawn
    assert np.isnan(y[3])  # an exact zero is left out: log(0) cannot be drawn
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["rnn", "attention"]
    ax.figure.canvas.draw()  # renders without warnings or errors


def test_gradient_flow_all_zero_curve_says_so():
    ax = plot_gradient_flow({"dead": torch.zeros(5), "alive": torch.ones(5)})
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["dead (all zero)", "alive"]


def test_gradient_flow_draws_on_a_given_axes():
    fig, axes = plt.subplots(1, 2)
    assert plot_gradient_flow({"a": torch.ones(3)}, ax=axes[1]) is axes[1]
    assert not axes[0].get_lines()


def test_gradient_flow_bad_input():
    with pytest.raises(TypeError, match="curves must be a mapping"):
        plot_gradient_flow(torch.ones(3))
    with pytest.raises(ValueError, match="curves is empty"):
        plot_gradient_flow({})
    with pytest.raises(ValueError, match=r"curves\['a'\] must be 1-D, got 2-D"):
        plot_gradient_flow({"a": torch.ones(2, 3)})


# ---------------------------------------------------------------------------------------------
# plot_curves
# ---------------------------------------------------------------------------------------------


def test_curves_lines_spread_and_reference():
    ax = plot_curves(
        [2, 4, 8],
        {"lstm": [0.9, 0.5, 0.2], "transformer": [1.0, 1.0, 0.98]},
        xlabel="pairs",
        ylabel="accuracy",
        logx=True,
        spread={"lstm": [0.05, 0.05, 0.1]},
        hline=0.1,
        hline_label="chance",
        title="recall",
    )
    lstm, transformer, chance = ax.get_lines()
    assert lstm.get_marker() == "o"
    np.testing.assert_allclose(transformer.get_ydata(), [1.0, 1.0, 0.98])
    np.testing.assert_allclose(chance.get_ydata(), [0.1, 0.1])
    assert len(ax.collections) == 1  # one band: only lstm has a spread
    assert ax.get_xscale() == "log" and ax.get_yscale() == "linear"
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("pairs", "accuracy", "recall")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["lstm", "transformer", "chance"]


def test_curves_length_mismatch():
    with pytest.raises(ValueError, match=r"series\['a'\] must have one value per x: expected 3"):
        plot_curves([1, 2, 3], {"a": [1, 2]}, xlabel="x", ylabel="y")
    with pytest.raises(ValueError, match=r"spread\['a'\] must have one value per x: expected 2"):
        plot_curves([1, 2], {"a": [1, 2]}, xlabel="x", ylabel="y", spread={"a": [1]})
    with pytest.raises(ValueError, match="spread has names"):
        plot_curves([1, 2], {"a": [1, 2]}, xlabel="x", ylabel="y", spread={"b": [1, 1]})
    with pytest.raises(TypeError, match="series must be a mapping"):
        plot_curves([1, 2], [1, 2], xlabel="x", ylabel="y")


# ---------------------------------------------------------------------------------------------
# heatmap
# ---------------------------------------------------------------------------------------------


def test_heatmap_of_attention_weights():
    weights = torch.softmax(torch.randn(3, 4), dim=-1)
    ax = heatmap(
        weights,
        row_labels=["a", "b", "c"],
        col_labels=["w", "x", "y", "z"],
        annotate=True,
        vmin=0,
        vmax=1,
        title="attention",
    )
    (image,) = ax.images
    np.testing.assert_allclose(image.get_array(), weights.numpy(), rtol=1e-6)
    assert image.get_clim() == (0, 1)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b", "c"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["w", "x", "y", "z"]
    assert len(ax.texts) == 12  # one value per cell
    assert ax.texts[0].get_text() == f"{weights[0, 0].item():.2f}"
    assert len(ax.figure.axes) == 2  # the map and its colour bar


def test_heatmap_without_annotations_or_labels():
    ax = heatmap(np.eye(2))
    assert not ax.texts
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1"]


def test_heatmap_bad_input():
    with pytest.raises(ValueError, match="matrix must be 2-D, got 3-D"):
        heatmap(torch.ones(1, 2, 2))
    with pytest.raises(
        ValueError, match="row_labels must have one label per row: expected 2, got 3"
    ):
        heatmap(torch.ones(2, 2), row_labels=["a", "b", "c"])
    with pytest.raises(ValueError, match="col_labels must have one label per column: expected 2"):
        heatmap(torch.ones(2, 2), col_labels=["a"])


# ---------------------------------------------------------------------------------------------
# plot_history
# ---------------------------------------------------------------------------------------------


def make_history(with_eval: bool) -> History:
    history = History(step=[1, 2, 3], loss=[2.0, 1.0, 0.5], accuracy=[0.1, 0.5, 0.9], steps=3)
    if with_eval:
        history.eval_step, history.eval_loss, history.eval_accuracy = [3], [0.7], [0.8]
    return history


def test_history_training_and_eval_curves():
    histories = {"lstm": make_history(True), "transformer": make_history(False)}
    ax = plot_history(histories, metric="accuracy")
    lines = ax.get_lines()
    assert len(lines) == 3  # lstm train + eval, transformer train
    np.testing.assert_allclose(lines[0].get_ydata(), [0.1, 0.5, 0.9])
    np.testing.assert_allclose(lines[1].get_ydata(), [0.8])
    assert lines[1].get_color() == lines[0].get_color()
    assert ax.get_ylabel() == "accuracy" and ax.get_xlabel() == "training step"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["lstm", "lstm (eval)", "transformer"]
    assert plot_history(histories).get_ylabel() == "loss"


def test_history_bad_input():
    with pytest.raises(ValueError, match="metric must be one of"):
        plot_history({"a": make_history(False)}, metric="f1")
    with pytest.raises(TypeError, match="histories must be a mapping"):
        plot_history(make_history(False))
    with pytest.raises(TypeError, match=r"histories\['a'\] must be a seqlib History"):
        plot_history({"a": [1, 2, 3]})


# ---------------------------------------------------------------------------------------------
# style, use_course_style, show
# ---------------------------------------------------------------------------------------------


def _key(kwargs):
    return (kwargs["color"], kwargs["marker"], kwargs["linestyle"])


def test_fighters_differ_in_colour_marker_and_linestyle():
    from seqlib.viz import style

    lstm, transformer = style("LSTM"), style("transformer")
    assert all(lstm[k] != transformer[k] for k in ("color", "marker", "linestyle"))
    assert style("LSTM (seed 1)") == lstm
    assert style("Transformer (uniform)") == transformer
    assert style("minGRU")["color"] == "#009E73" and style("GRU")["color"] == "#CC79A7"


def test_unknown_names_get_a_stable_style_never_yellow():
    from seqlib.viz import style

    assert style("a baseline") == style("A Baseline")
    names = [f"model {i}" for i in range(50)]
    assert all(style(n)["color"].upper() != "#F0E442" for n in [*names, "lstm", "gru"])
    assert len({_key(style(n)) for n in names}) > 3  # not all the same
    with pytest.raises(TypeError, match="str"):
        style(3)


def test_plots_use_the_fighter_styles():
    from seqlib.viz import style

    checks = {
        "curves": plot_curves(
            [1, 2], {"LSTM (seed 0)": [0.1, 0.2], "Transformer": [0.3, 0.4]}, xlabel="x", ylabel="y"
        ).get_lines(),
        "flow": plot_gradient_flow(
            {"LSTM (seed 0)": [1.0, 0.5], "Transformer": [1.0, 1.0]}
        ).get_lines(),
    }
    for lines in checks.values():
        for line, name in zip(lines, ["LSTM", "Transformer"], strict=True):
            expected = style(name)
            assert line.get_color() == expected["color"]
            assert line.get_marker() == expected["marker"]
            assert line.get_linestyle() == {"-": "-", "--": "--"}[expected["linestyle"]]
    history = History(step=[1, 2], loss=[1.0, 0.5], accuracy=[0.5, 0.6])
    line = plot_history({"Transformer (uniform)": history}).get_lines()[0]
    assert line.get_color() == style("Transformer")["color"] and line.get_linestyle() == "--"


def test_use_course_style_sets_dpi_and_a_marker_cycler():
    from seqlib.viz import FIGSIZE, use_course_style

    with matplotlib.rc_context():
        use_course_style()
        assert matplotlib.rcParams["figure.dpi"] >= 100
        keys = matplotlib.rcParams["axes.prop_cycle"].keys
        assert {"color", "marker", "linestyle"} <= keys
        assert FIGSIZE[0] * matplotlib.rcParams["figure.dpi"] >= 600
        _, ax = plt.subplots()
        first, second = ax.plot([0, 1]), ax.plot([1, 0])
        assert first[0].get_marker() != second[0].get_marker()


@pytest.fixture
def shown(monkeypatch):
    import IPython.display

    outputs = []
    monkeypatch.setattr(IPython.display, "display", lambda obj, **kw: outputs.append(obj))
    return outputs


def test_show_emits_a_wide_image_with_alt_text_and_a_caption(shown):
    from IPython.display import Image, Markdown

    from seqlib.viz import show

    ax = plot_curves([1, 2], {"LSTM": [0.1, 0.2]}, xlabel="x", ylabel="y")
    ax.figure.set_dpi(100)
    show(ax.figure, "The LSTM climbs.")
    image, caption = shown
    assert isinstance(image, Image) and isinstance(caption, Markdown)
    data, metadata = image._repr_png_()
    assert metadata["width"] >= 600 and metadata["alt"] == "The LSTM climbs."
    assert caption.data == "*The LSTM climbs.*"
    assert not plt.fignum_exists(ax.figure.number)  # closed: not drawn twice


def test_show_rejects_bad_input(shown):
    from seqlib.viz import show

    narrow = plt.figure(figsize=(3, 2), dpi=100)
    with pytest.raises(ValueError, match="figsize"):
        show(narrow, "too small")
    wide = plt.figure(figsize=(7, 3), dpi=100)
    with pytest.raises(TypeError, match="ax.figure"):
        show(wide.add_subplot(), "an Axes, not a Figure")
    with pytest.raises(ValueError, match="caption"):
        show(wide, "  ")
    with pytest.raises(TypeError, match="caption"):
        show(wide, None)
    assert not shown


def test_heatmap_has_no_grid_over_its_cells():
    from seqlib.viz import use_course_style

    with matplotlib.rc_context():
        use_course_style()  # turns the grid on
        ax = heatmap(torch.rand(3, 4))
        assert not any(line.get_visible() for line in ax.get_xgridlines() + ax.get_ygridlines())
        plt.close(ax.figure)
