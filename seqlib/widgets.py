"""ipywidgets explorers, one per round: thin views over pure functions.

Each explorer is a few controls wired to a function that does the work and lives with its idea
(and has its own tests); the explorer only redraws:

==================================  =========================================================
round 1 :func:`gradient_flow_explorer`  :mod:`seqlib.gradients` (curves and their summary)
round 2 :func:`speed_explorer`          :mod:`seqlib.speed` (timing the matched pair)
round 3 :func:`attention_explorer`      :mod:`seqlib.interpret` (:func:`explain_sentence`)
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

from seqlib import edge, gradients, hire, interpret, language
from seqlib._validate import check_choice, check_positive_int

if TYPE_CHECKING:
    import ipywidgets

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

    check_positive_int(length, "length")
    check_positive_int(d_model, "d_model")
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
# Computation speed (round 2): the pure part
# ---------------------------------------------------------------------------------------------

SPEED_MODES = ("inference", "training")
SPEED_MAX_LENGTH = 2048  # the explorer keeps every measurement well under a second


def lstm_parameter_count(input_size: int, hidden_size: int) -> int:
    """``torch.nn.LSTM(input_size, hidden_size)``'s parameters: four gates, each with an input
    weight (H, I), a recurrent weight (H, H) and two biases (H,): ``4 (I H + H H + 2 H)``."""
    return 4 * (input_size * hidden_size + hidden_size * hidden_size + 2 * hidden_size)


def matched_fighters(
    width: int, *, nhead: int = 4, seed: int = 0
) -> tuple[torch.nn.LSTM, torch.nn.TransformerEncoderLayer]:
    """A fair pair of torch backbones that read ``width`` features per position.

    The Transformer layer is ``nn.TransformerEncoderLayer(width, nhead,
    dim_feedforward=4 * width, dropout=0.0, batch_first=True)``; the LSTM is
    ``nn.LSTM(width, H, batch_first=True)`` with the hidden size H whose parameter count
    (:func:`lstm_parameter_count`) is closest to the layer's. Returns ``(lstm, transformer)``.
    """
    check_positive_int(width, "width")
    check_positive_int(nhead, "nhead")
    if width % nhead:
        raise ValueError(f"width must be a multiple of nhead={nhead}, got {width}")
    torch.manual_seed(seed)
    transformer = torch.nn.TransformerEncoderLayer(
        width, nhead, dim_feedforward=4 * width, dropout=0.0, batch_first=True
    )
    target = sum(p.numel() for p in transformer.parameters())
    gap = {h: abs(lstm_parameter_count(width, h) - target) for h in range(1, 4 * width + 1)}
    hidden = min(gap, key=gap.get)
    lstm = torch.nn.LSTM(width, hidden, batch_first=True)
    return lstm, transformer


def _timed_call(model: torch.nn.Module, x: torch.Tensor, mode: str) -> Any:
    """The zero-argument callable to time: a forward pass in eval mode without autograd
    (``"inference"``), or a forward and backward pass in train mode (``"training"``)."""
    model.train(mode == "training")

    def inference() -> None:
        with torch.no_grad():
            model(x)

    def training() -> None:
        out = model(x)
        out = out[0] if isinstance(out, tuple) else out  # nn.LSTM returns (output, (h, c))
        out.sum().backward()

    return training if mode == "training" else inference


def time_fighters(
    batch: int,
    length: int,
    width: int,
    mode: str = "inference",
    *,
    threads: int | None = None,
    min_run_time: float = 0.05,
    device: str | torch.device | None = None,
    models: tuple[torch.nn.Module, torch.nn.Module] | None = None,
) -> dict[str, Any]:
    """Time the parameter-matched LSTM and Transformer layer on one random batch.

    ``x`` is ``(batch, length, width)``; ``mode`` is ``"inference"`` (eval mode, no autograd,
    forward only) or ``"training"`` (train mode, forward + backward). The two are timed with
    :func:`seqlib.timing.benchmark` one after the other, with the same thread count and device.
    ``models`` reuses a pair from :func:`matched_fighters` (built for ``width`` if omitted).

    Returns a dict: the arguments (``batch``, ``length``, ``width``, ``mode``), ``threads`` and
    ``device`` used, ``lstm_ms`` and ``transformer_ms`` (median per call), ``lstm_params``,
    ``transformer_params``, ``lstm_hidden``, ``faster`` (``"LSTM"`` or ``"Transformer"``) and
    ``ratio`` (slower time / faster time, >= 1).
    """
    from seqlib.timing import _as_device, benchmark

    check_positive_int(batch, "batch")
    check_positive_int(length, "length")
    check_positive_int(width, "width")
    check_choice(mode, "mode", SPEED_MODES)
    if length > SPEED_MAX_LENGTH:
        raise ValueError(f"length must be <= {SPEED_MAX_LENGTH} (kept quick), got {length}")
    device = _as_device(device)
    lstm, transformer = matched_fighters(width) if models is None else models
    if lstm.input_size != width or transformer.linear1.in_features != width:
        raise ValueError(f"models must read width={width} features (from matched_fighters)")
    lstm, transformer = lstm.to(device), transformer.to(device)
    x = torch.randn(batch, length, width, device=device)  # (B, T, width)
    times = {
        name: benchmark(
            _timed_call(model, x, mode),
            label=name,
            threads=threads,
            min_run_time=min_run_time,
            device=device,
        )
        for name, model in (("LSTM", lstm), ("Transformer", transformer))
    }
    lstm_ms, transformer_ms = times["LSTM"].median * 1e3, times["Transformer"].median * 1e3
    return {
        "batch": batch,
        "length": length,
        "width": width,
        "mode": mode,
        "threads": times["LSTM"].threads,
        "device": str(device),
        "lstm_ms": lstm_ms,
        "transformer_ms": transformer_ms,
        "lstm_params": sum(p.numel() for p in lstm.parameters()),
        "transformer_params": sum(p.numel() for p in transformer.parameters()),
        "lstm_hidden": lstm.hidden_size,
        "faster": "LSTM" if lstm_ms <= transformer_ms else "Transformer",
        "ratio": max(lstm_ms, transformer_ms) / min(lstm_ms, transformer_ms),
    }


def format_fighter_timings(result: Mapping[str, Any]) -> str:
    """An HTML table of :func:`time_fighters`'s result: time and parameters of each fighter,
    the winner and by how much, and the conditions (mode, threads, device)."""
    rows = "".join(
        f"<tr><td><b>{name}</b>{extra}</td><td>{result[key + '_ms']:.3g} ms</td>"
        f"<td>{result[key + '_params']:,}</td></tr>"
        for name, key, extra in (
            ("LSTM", "lstm", f" (hidden {result['lstm_hidden']})"),
            ("Transformer layer", "transformer", ""),
        )
    )
    return (
        "<table><tr><th>fighter</th><th>time per call (median)</th><th>parameters</th></tr>"
        f"{rows}</table>"
        f"<p><b>{html.escape(result['faster'])}</b> is faster by <b>{result['ratio']:.1f}x</b> "
        f"({html.escape(result['mode'])}, batch {result['batch']}, length {result['length']}, "
        f"width {result['width']}; {result['threads']} thread"
        f"{'s' if result['threads'] != 1 else ''}, {html.escape(result['device'])})</p>"
    )


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
    """Live timings of the parameter-matched LSTM and Transformer layer (:func:`time_fighters`).

    Controls: batch (1 .. 64), sequence length (10 .. ``max_length``), width (32 .. 256), mode
    (inference / training) and CPU threads (1 .. ``torch.get_num_threads()``). Every change
    times both fighters again (``min_run_time`` seconds each, so it stays interactive) and
    rewrites the readout; no plot, so nothing to redraw.

    Returns an ``ipywidgets.VBox`` with ``box.controls`` (``"batch"``, ``"length"``,
    ``"width"``, ``"mode"``, ``"threads"``), ``box.readout`` (HTML), ``box.result`` (the last
    :func:`time_fighters` dict) and ``box.update()``.
    """
    widgets = import_ipywidgets()

    check_positive_int(max_length, "max_length")
    if not 10 <= max_length <= SPEED_MAX_LENGTH:
        raise ValueError(f"max_length must be between 10 and {SPEED_MAX_LENGTH}, got {max_length}")
    check_positive_int(batch, "batch")
    check_positive_int(length, "length")
    check_positive_int(width, "width")
    check_choice(mode, "mode", SPEED_MODES)
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
        "mode": widgets.Dropdown(options=list(SPEED_MODES), value=mode, description="mode"),
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
            pairs[w] = matched_fighters(w)
        result = time_fighters(
            controls["batch"].value,
            controls["length"].value,
            w,
            controls["mode"].value,
            threads=controls["threads"].value,
            min_run_time=min_run_time,
            models=pairs[w],
        )
        box.result = result
        readout.value = format_fighter_timings(result)

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
    :func:`seqlib.interpret.explain_sentence` result, or None after a bad sentence),
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
            result = interpret.explain_sentence(
                text_box.value, transformer, lstm, layer=layer.value, head=head.value
            )
        except ValueError as error:
            box.result = None
            readout.value = f"<p style='color:#b00'>⚠️ {html.escape(str(error))}</p>"
            with output:
                clear_output()
            return
        box.result = result
        readout.value = interpret.format_explanation(result)
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
