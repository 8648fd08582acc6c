"""ipywidgets explorers: thin views over pure functions.

Each explorer is a few controls wired to a function that does the work (and has its own
tests); the explorer only redraws. Everything here works with ipywidgets 7.7 (what Colab
ships) and 8.x: only the basic widgets both have, ``observe(handler, names="value")`` and an
``Output`` that is cleared and redrawn.

ipywidgets and matplotlib are imported when an explorer is built, not when seqlib is imported;
the pure functions (``gradient_flow_summary``, ``format_gradient_flow_summary``) need neither.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from seqlib._validate import check_positive_int

if TYPE_CHECKING:
    import ipywidgets

INSTALL_HINT = (
    "The explorers need ipywidgets: run `pip install 'ipywidgets>=7.7'` (or "
    "`pip install seqlib[notebooks]`) and restart the kernel."
)


def _import_ipywidgets() -> Any:
    """Import ipywidgets, or fail with a one-sentence install hint."""
    try:
        import ipywidgets
    except ImportError as error:
        raise ImportError(INSTALL_HINT) from error
    return ipywidgets


# ---------------------------------------------------------------------------------------------
# Gradient flow (round 1): the pure part
# ---------------------------------------------------------------------------------------------


def _curve_to_numpy(curve: object, name: str) -> np.ndarray:
    if isinstance(curve, torch.Tensor):
        curve = curve.detach().cpu().double().numpy()
    norms = np.asarray(curve, dtype=np.float64)
    if norms.ndim != 1 or len(norms) < 2:
        raise ValueError(
            f"curves[{name!r}] must be 1-D with at least 2 distances (0 and 1), "
            f"got shape {norms.shape}"
        )
    return norms


def gradient_flow_summary(
    curves: Mapping[str, torch.Tensor], threshold: float = 1e-3
) -> list[dict[str, Any]]:
    """Summarise gradient-by-distance curves: how much gradient is left, and how far it reaches.

    ``curves`` maps a model name to a 1-D tensor (T,) whose entry k is ``‖∂h_T/∂x_t‖`` at
    distance ``k = T - t`` (as from ``seqlib.gradients.gradient_flow_curves``); T >= 2.
    Distance 0 is skipped as the reference because ``x_T`` reaches ``h_T`` directly in every
    model; distance 1 is the first step that has to travel back in time.

    Returns one dict per model, in the order of ``curves``, with keys:

    - ``"model"``: the name;
    - ``"length"``: T;
    - ``"at_1"``: the norm at distance 1;
    - ``"at_last"``: the norm at the last distance, T - 1;
    - ``"ratio"``: ``at_last / at_1`` (``nan`` if ``at_1`` is 0);
    - ``"reach"``: the largest distance k in 1 .. T-1 with ``norm[k] >= threshold * at_1``
      (the largest such k, so a curve that dips and recovers counts its recovery); 0 if
      ``at_1`` is 0. ``reach == T - 1`` means the gradient reaches all the way back;
    - ``"threshold"``: the ``threshold`` used for ``reach``.
    """
    if not isinstance(curves, Mapping):
        raise TypeError(f"curves must be a mapping {{name: tensor}}, got {type(curves).__name__}")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise TypeError(f"threshold must be a number, got {type(threshold).__name__}")
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], got {threshold}")
    rows = []
    for name, curve in curves.items():
        norms = _curve_to_numpy(curve, name)
        at_1, at_last = float(norms[1]), float(norms[-1])
        strong = np.flatnonzero(norms[1:] >= threshold * at_1) + 1 if at_1 > 0 else []
        rows.append(
            {
                "model": str(name),
                "length": len(norms),
                "at_1": at_1,
                "at_last": at_last,
                "ratio": at_last / at_1 if at_1 > 0 else math.nan,
                "reach": int(strong[-1]) if len(strong) else 0,
                "threshold": float(threshold),
            }
        )
    return rows


def format_gradient_flow_summary(rows: list[dict[str, Any]]) -> str:
    """An HTML table of :func:`gradient_flow_summary`'s rows (one row per model).

    Display it with ``IPython.display.HTML(...)`` or put it in an ``ipywidgets.HTML``.
    """
    if not rows:
        return "<p>No model selected: tick at least one.</p>"
    header = (
        "<tr><th>model</th><th>‖∂h<sub>T</sub>/∂x<sub>T−1</sub>‖</th>"
        "<th>at distance T−1</th><th>last / first</th><th>reach (steps)</th></tr>"
    )
    body = "".join(
        "<tr>"
        f"<td><b>{html.escape(row['model'])}</b></td>"
        f"<td>{row['at_1']:.2e}</td>"
        f"<td>{row['at_last']:.2e}</td>"
        f"<td>{row['ratio']:.1e}</td>"
        f"<td>{row['reach']} of {row['length'] - 1}</td>"
        "</tr>"
        for row in rows
    )
    note = (
        "<small>reach: the farthest distance where the gradient is still at least "
        f"{rows[0].get('threshold', 1e-3):.2g} times its value at distance 1.</small>"
    )
    return f"<table>{header}{body}</table>{note}"


# ---------------------------------------------------------------------------------------------
# Gradient flow (round 1): the explorer
# ---------------------------------------------------------------------------------------------


def gradient_flow_explorer(*, length: int = 60, d_model: int = 16) -> ipywidgets.VBox:
    """An explorer of ``‖∂h_T/∂x_t‖`` by distance for the RNN, the LSTM and attention.

    Controls: a checkbox per model, the sequence length (10 .. 200) and the LSTM's forget-gate
    bias (-2 .. 5). Every change recomputes the curves (``seqlib.gradients.gradient_flow``,
    cached per model and setting), redraws the plot and updates the readout table
    (:func:`format_gradient_flow_summary`).

    Returns an ``ipywidgets.VBox``; its parts are attributes, for tests and curious learners:

    - ``box.controls``: dict with ``"rnn"``, ``"lstm"``, ``"attention"`` (Checkbox),
      ``"length"`` (IntSlider), ``"forget_bias"`` (FloatSlider);
    - ``box.readout``: the HTML widget with the summary table;
    - ``box.output``: the Output widget with the plot;
    - ``box.curves``: the curves last drawn, ``{name: tensor (length,)}``;
    - ``box.update()``: recompute and redraw now.
    """
    widgets = _import_ipywidgets()
    import matplotlib.pyplot as plt
    from IPython.display import clear_output, display

    from seqlib.gradients import BACKBONES, gradient_flow
    from seqlib.viz import FIGSIZE, plot_gradient_flow

    check_positive_int(length, "length")
    check_positive_int(d_model, "d_model")
    if not 10 <= length <= 200:
        raise ValueError(f"length must be between 10 and 200 (the slider's range), got {length}")

    checkboxes = {
        name: widgets.Checkbox(value=True, description=name, indent=False) for name in BACKBONES
    }
    length_slider = widgets.IntSlider(
        value=length, min=10, max=200, step=10, description="length T", continuous_update=False
    )
    bias_slider = widgets.FloatSlider(
        value=0.0,
        min=-2.0,
        max=5.0,
        step=0.5,
        description="LSTM forget-gate bias",
        continuous_update=False,
        style={"description_width": "initial"},
    )
    readout = widgets.HTML()
    output = widgets.Output()
    cache: dict[tuple, torch.Tensor] = {}

    def curve(name: str) -> torch.Tensor:
        bias = bias_slider.value if name == "lstm" else 0.0  # the bias only changes the LSTM
        key = (name, length_slider.value, bias)
        if key not in cache:
            cache[key] = gradient_flow(
                name, length=length_slider.value, d_model=d_model, forget_bias=bias
            )
        return cache[key]

    def update(change: object = None) -> None:
        curves = {name: curve(name) for name, box in checkboxes.items() if box.value}
        box.curves = curves
        readout.value = format_gradient_flow_summary(gradient_flow_summary(curves))
        with output:
            clear_output(wait=True)
            if curves:
                fig, ax = plt.subplots(figsize=FIGSIZE, layout="constrained")
                plot_gradient_flow(curves, ax=ax, title="How far back does the gradient reach?")
                display(fig)
                plt.close(fig)

    controls = {**checkboxes, "length": length_slider, "forget_bias": bias_slider}
    for control in controls.values():
        control.observe(update, names="value")

    box = widgets.VBox(
        [
            widgets.HBox(list(checkboxes.values())),
            widgets.HBox([length_slider, bias_slider]),
            readout,
            output,
        ]
    )
    box.controls = controls
    box.readout = readout
    box.output = output
    box.update = update
    update()
    return box


__all__ = ["format_gradient_flow_summary", "gradient_flow_explorer", "gradient_flow_summary"]
