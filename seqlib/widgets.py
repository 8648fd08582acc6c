"""ipywidgets explorers, one per round: thin views over pure functions.

Each explorer is a few controls wired to a function that does the work and lives with its idea
(and has its own tests); the explorer only redraws:

==================================  =========================================================
round 1 :func:`gradient_flow_explorer`  :mod:`seqlib.gradients` (curves and their summary)
round 2 :func:`speed_explorer`          :mod:`seqlib.speed` (timing the matched pair)
round 3 :func:`attention_explorer`      :mod:`seqlib.explain` (:func:`explain_sentence`)
round 4 :func:`hire_explorer`           :mod:`seqlib.hire` (the advice)
round 5 :func:`edge_explorer`           :mod:`seqlib.edge` (the edge calculator)
==================================  =========================================================

Everything here works with ipywidgets 7.7 (what Colab ships) and 8.x: only the basic widgets
both have, ``observe(handler, names="value")`` and an ``Output`` that is cleared and redrawn.
ipywidgets and matplotlib are imported when an explorer is built, not when seqlib is imported.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

from seqlib import edge, explain, gradients, hire, interpret, language, models, speed
from seqlib._validate import check_choice, check_positive_int

if TYPE_CHECKING:
    import ipywidgets

__all__ = [
    "INSTALL_HINT",
    "attention_explorer",
    "edge_explorer",
    "explorer_box",
    "gradient_flow_explorer",
    "hire_explorer",
    "import_ipywidgets",
    "speed_explorer",
]

INSTALL_HINT = (
    "The explorers need ipywidgets: run `pip install 'ipywidgets>=7.7'` (or "
    "`pip install seqlib[notebooks]`) and restart the kernel."
)


def import_ipywidgets() -> Any:
    """Import ipywidgets, or fail with a one-sentence install hint."""
    try:
        import ipywidgets
    except ImportError as error:
        raise ImportError(INSTALL_HINT) from error
    return ipywidgets


def explorer_box(
    rows: list[Any], controls: Mapping[str, Any], readout: Any, update: Any, **parts: Any
) -> Any:
    """Stack ``rows`` in a VBox, call ``update`` whenever a control changes, and attach
    ``.controls``, ``.readout``, ``.update`` and any other ``parts`` (e.g. ``output``) for tests.

    The caller runs ``update()`` once after this returns, to draw the first view.
    """
    widgets = import_ipywidgets()
    for control in controls.values():
        control.observe(update, names="value")
    box = widgets.VBox(rows)
    box.controls, box.readout, box.update = dict(controls), readout, update
    for name, part in parts.items():
        setattr(box, name, part)
    return box


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
    widgets = import_ipywidgets()
    import matplotlib.pyplot as plt
    from IPython.display import clear_output, display

    from seqlib.viz import FIGSIZE, plot_gradient_flow

    length = check_positive_int(length, "length")
    d_model = check_positive_int(d_model, "d_model")
    if not 10 <= length <= 200:
        raise ValueError(f"length must be between 10 and 200 (the slider's range), got {length}")

    checkboxes = {
        name: widgets.Checkbox(value=True, description=name, indent=False)
        for name in gradients.PROBES
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
            cache[key] = gradients.gradient_flow(
                name, length=length_slider.value, d_model=d_model, forget_bias=bias
            )
        return cache[key]

    def update(change: object = None) -> None:
        curves = {name: curve(name) for name, box in checkboxes.items() if box.value}
        box.curves = curves
        readout.value = gradients.format_gradient_flow_summary(
            gradients.gradient_flow_summary(curves)
        )
        with output:
            clear_output(wait=True)
            if curves:
                fig, ax = plt.subplots(figsize=FIGSIZE, layout="constrained")
                plot_gradient_flow(curves, ax=ax, title="How far back does the gradient reach?")
                display(fig)
                plt.close(fig)

    controls = {**checkboxes, "length": length_slider, "forget_bias": bias_slider}
    rows = [
        widgets.HBox(list(checkboxes.values())),
        widgets.HBox([length_slider, bias_slider]),
        readout,
        output,
    ]
    box = explorer_box(rows, controls, readout, update, output=output)
    update()
    return box


# ---------------------------------------------------------------------------------------------
# Computation speed (round 2): the explorer
# ---------------------------------------------------------------------------------------------


def speed_explorer(
    *,
    batch: int = 16,
    length: int = 100,
    width: int = 64,
    mode: str = "inference",
    max_length: int = 1000,
    min_run_time: float = 0.05,
) -> ipywidgets.VBox:
    """Live timings of the parameter-matched LSTM and Transformer layer
    (:func:`seqlib.speed.time_fighters`).

    Controls: batch (1 .. 64), sequence length (10 .. ``max_length``), width (32 .. 256), mode
    (inference / training) and CPU threads (1 .. ``torch.get_num_threads()``). Every change
    times both fighters again (``min_run_time`` seconds each, so it stays interactive) and
    rewrites the readout; no plot, so nothing to redraw.

    Returns an ``ipywidgets.VBox`` with ``box.controls`` (``"batch"``, ``"length"``,
    ``"width"``, ``"mode"``, ``"threads"``), ``box.readout`` (HTML), ``box.result`` (the last
    :class:`seqlib.speed.FighterTimings`) and ``box.update()``.
    """
    widgets = import_ipywidgets()

    max_length = check_positive_int(max_length, "max_length")
    if not 10 <= max_length <= speed.MAX_LENGTH:
        raise ValueError(f"max_length must be between 10 and {speed.MAX_LENGTH}, got {max_length}")
    batch = check_positive_int(batch, "batch")
    length = check_positive_int(length, "length")
    width = check_positive_int(width, "width")
    check_choice(mode, "mode", speed.MODES)
    if not 1 <= batch <= 64:
        raise ValueError(f"batch must be between 1 and 64 (the slider's range), got {batch}")
    if not 10 <= length <= max_length:
        raise ValueError(f"length must be between 10 and max_length={max_length}, got {length}")
    if width % 32 or not 32 <= width <= 256:
        raise ValueError(f"width must be 32, 64, ..., 256 (the slider's steps), got {width}")

    style = {"description_width": "initial"}
    available = torch.get_num_threads()
    controls = {
        "batch": widgets.IntSlider(
            value=batch, min=1, max=64, description="batch", continuous_update=False
        ),
        "length": widgets.IntSlider(
            value=length,
            min=10,
            max=max_length,
            step=10,
            description="length T",
            continuous_update=False,
        ),
        "width": widgets.IntSlider(
            value=width, min=32, max=256, step=32, description="width d", continuous_update=False
        ),
        "mode": widgets.Dropdown(options=list(speed.MODES), value=mode, description="mode"),
        "threads": widgets.Dropdown(
            options=list(range(1, available + 1)),
            value=available,
            description="CPU threads",
            style=style,
        ),
    }
    readout = widgets.HTML()
    pairs: dict[int, tuple[torch.nn.Module, torch.nn.Module]] = {}

    def update(change: object = None) -> None:
        w = controls["width"].value
        if w not in pairs:
            pairs[w] = models.matched_backbones(w)
        result = speed.time_fighters(
            controls["batch"].value,
            controls["length"].value,
            w,
            controls["mode"].value,
            threads=controls["threads"].value,
            min_run_time=min_run_time,
            models=pairs[w],
        )
        box.result = result
        readout.value = speed.format_fighter_timings(result)

    rows = [
        widgets.HBox([controls["batch"], controls["length"], controls["width"]]),
        widgets.HBox([controls["mode"], controls["threads"]]),
        readout,
    ]
    box = explorer_box(rows, controls, readout, update)
    update()
    return box


# ---------------------------------------------------------------------------------------------
# Attention and saliency (round 3): type a sentence, see what each fighter looked at
# ---------------------------------------------------------------------------------------------


def attention_explorer(
    transformer: nn.Module, lstm: nn.Module, *, text: str = language.FIGHT_CARD
) -> ipywidgets.VBox:
    """Type a sentence, pick a layer and a head: the Transformer's attention map beside the
    LSTM's saliency, and both answers.

    Words outside the vocabulary (or no pronoun) give a message in the readout, not a
    traceback. Parts, for tests: ``box.controls`` (``"text"``, ``"layer"``, ``"head"``),
    ``box.readout`` (HTML), ``box.output`` (the plots), ``box.result`` (the last
    :func:`seqlib.explain.explain_sentence` result, or None after a bad sentence),
    ``box.update()``.
    """
    widgets = import_ipywidgets()
    import matplotlib.pyplot as plt
    from IPython.display import clear_output, display

    from seqlib.viz import heatmap

    maps = interpret.attention_maps(transformer, language.encode(text)[None])
    text_box = widgets.Text(value=text, description="sentence", continuous_update=False)
    text_box.layout.width = "520px"
    layer = widgets.Dropdown(options=list(range(len(maps))), value=0, description="layer")
    head = widgets.Dropdown(options=list(range(maps[0].shape[1])), value=0, description="head")
    readout = widgets.HTML()
    output = widgets.Output()

    def update(change: object = None) -> None:
        try:
            result = explain.explain_sentence(
                text_box.value, transformer, lstm, layer=layer.value, head=head.value
            )
        except ValueError as error:
            box.result = None
            readout.value = f"<p style='color:#b00'>⚠️ {html.escape(str(error))}</p>"
            with output:
                clear_output()
            return
        box.result = result
        readout.value = explain.format_explanation(result)
        words = result.words
        with output:
            clear_output(wait=True)
            fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
            heatmap(
                result.attention,
                row_labels=words,
                col_labels=words,
                ax=left,
                title=f"Transformer: layer {result.layer}, head {result.head}",
            )
            sal = result.saliency.numpy()
            right.bar(range(len(words)), sal, color=["C3" if s < 0 else "C0" for s in sal])
            right.set_xticks(range(len(words)), labels=words, rotation=45, ha="right")
            right.set_title(f"LSTM: saliency of its answer ({result.lstm})")
            right.axhline(0, color="black", linewidth=0.5)
            display(fig)
            plt.close(fig)

    controls = {"text": text_box, "layer": layer, "head": head}
    rows = [text_box, widgets.HBox([layer, head]), readout, output]
    box = explorer_box(rows, controls, readout, update, output=output, result=None)
    update()
    return box


# ---------------------------------------------------------------------------------------------
# Which fighter to hire (round 4): your situation in, the advice and its reason out
# ---------------------------------------------------------------------------------------------


def hire_explorer(
    measured: hire.Measurements,
    *,
    n_examples: int = 200,
    seq_length: int = 128,
    latency_budget_ms: float = 1.0,
    hardware: str = "cpu",
    margin: float = 0.01,
) -> ipywidgets.VBox:
    """An explorer: type your data size, sequence length, latency budget and hardware; read
    the advice (:func:`seqlib.hire.advice_html`, with ``margin`` as in
    :func:`seqlib.hire.advise`) and which measurement drove it.

    Returns an ``ipywidgets.VBox`` with ``box.controls`` (``"n_examples"``, ``"seq_length"``,
    ``"latency_budget_ms"``, ``"hardware"``), ``box.readout`` (the HTML advice) and
    ``box.update()``. Works with ipywidgets 7.7 and 8.x.
    """
    widgets = import_ipywidgets()
    style = {"description_width": "initial"}
    controls: dict[str, Any] = {
        "n_examples": widgets.IntText(
            value=n_examples, description="training examples", style=style
        ),
        "seq_length": widgets.IntText(
            value=seq_length, description="tokens per sequence", style=style
        ),
        "latency_budget_ms": widgets.FloatText(
            value=latency_budget_ms, description="budget (ms per token)", style=style
        ),
        "hardware": widgets.Dropdown(
            options=list(hire.HARDWARE), value=hardware, description="hardware"
        ),
    }
    readout = widgets.HTML()

    def update(change: object = None) -> None:
        readout.value = hire.advice_html(
            *(c.value for c in controls.values()), measured, margin=margin
        )

    rows = [
        widgets.HBox([controls["n_examples"], controls["seq_length"]]),
        widgets.HBox([controls["latency_budget_ms"], controls["hardware"]]),
        readout,
    ]
    box = explorer_box(rows, controls, readout, update)
    update()
    return box


# ---------------------------------------------------------------------------------------------
# The edge calculator (round 5): a context length and a device's budgets
# ---------------------------------------------------------------------------------------------


def edge_explorer(
    fits: Mapping[str, edge.StreamFit],
    weights_bytes: Mapping[str, int],
    *,
    context: int = 4096,
    memory_budget_mb: float = 1.0,
    latency_budget_ms: float = 2.0,
) -> ipywidgets.VBox:
    """Context length and a device's budgets -> each fighter's latency and memory.

    Controls: ``"context"`` (64 .. 1,048,576 tokens, powers of 2), ``"memory_mb"`` (0.01 ..
    10,000 MB, log scale) and ``"latency_ms"`` (0.01 .. 1,000 ms per token, log scale). The
    readout is :func:`seqlib.edge.format_edge_costs` of :func:`seqlib.edge.edge_costs`; no model
    runs, so it is instant. Returns a ``VBox`` with ``.controls``, ``.readout``, ``.rows`` (the
    :class:`seqlib.edge.EdgeCost` rows) and ``.update()``.
    """
    widgets = import_ipywidgets()
    if context not in edge.CONTEXTS:
        raise ValueError(
            f"context must be a power of 2 from 64 to {edge.CONTEXTS[-1]:,}, got {context}"
        )
    edge.edge_costs(  # check everything once, before building widgets
        fits,
        weights_bytes,
        context,
        memory_budget_mb=memory_budget_mb,
        latency_budget_ms=latency_budget_ms,
    )
    style = {"description_width": "initial"}

    def budget_slider(value: float, max_exponent: int, description: str) -> object:
        """A log-scale slider from 10^-2 to 10^max_exponent, in quarter decades."""
        return widgets.FloatLogSlider(
            value=value,
            base=10,
            min=-2,
            max=max_exponent,
            step=0.25,
            description=description,
            style=style,
            continuous_update=False,
        )

    controls = {
        "context": widgets.SelectionSlider(
            options=[(f"{c:,}", c) for c in edge.CONTEXTS],
            value=context,
            description="context (tokens)",
            style=style,
            continuous_update=False,
        ),
        "memory_mb": budget_slider(memory_budget_mb, 4, "memory budget (MB)"),
        "latency_ms": budget_slider(latency_budget_ms, 3, "latency budget (ms/token)"),
    }
    readout = widgets.HTML()

    def update(change: object = None) -> None:
        box.rows = edge.edge_costs(
            fits,
            weights_bytes,
            controls["context"].value,
            memory_budget_mb=controls["memory_mb"].value,
            latency_budget_ms=controls["latency_ms"].value,
        )
        readout.value = edge.format_edge_costs(box.rows)

    box = explorer_box([*controls.values(), readout], controls, readout, update)
    update()
    return box
