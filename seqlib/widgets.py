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
from torch import nn

from seqlib import interpret, language
from seqlib._validate import check_choice, check_positive_int

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


def explorer_box(
    rows: list[Any], controls: Mapping[str, Any], readout: Any, update: Any, **parts: Any
) -> Any:
    """Stack ``rows`` in a VBox, call ``update`` whenever a control changes, and attach
    ``.controls``, ``.readout``, ``.update`` and any other ``parts`` (e.g. ``output``) for tests.

    The caller runs ``update()`` once after this returns, to draw the first view.
    """
    widgets = _import_ipywidgets()
    for control in controls.values():
        control.observe(update, names="value")
    box = widgets.VBox(rows)
    box.controls, box.readout, box.update = dict(controls), readout, update
    for name, part in parts.items():
        setattr(box, name, part)
    return box


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
    widgets = _import_ipywidgets()

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


__all__ = [
    "explorer_box",
    "SPEED_MODES",
    "format_fighter_timings",
    "format_gradient_flow_summary",
    "gradient_flow_explorer",
    "gradient_flow_summary",
    "lstm_parameter_count",
    "matched_fighters",
    "speed_explorer",
    "time_fighters",
]


# ---------------------------------------------------------------------------------------------
# Attention and saliency (round 3): type a sentence, see what each fighter looked at
# ---------------------------------------------------------------------------------------------


def explain_sentence(
    text: str, transformer: nn.Module, lstm: nn.Module, *, layer: int = 0, head: int = 0
) -> dict[str, Any]:
    """Both fighters' answer for the pronoun of ``text``, with what each one looked at.

    Returns a dict: ``words``; ``pronoun`` (index of the last he/she/they); ``expected`` (the
    agreeing person, or None when no single person agrees); ``transformer`` and ``lstm``: the
    predicted antecedent; ``attention`` (T, T): layer ``layer``, head ``head``; ``rollout``
    (T,): attention rollout from the pronoun; ``saliency`` (T,): the LSTM's integrated-gradients
    saliency of its answer.

    Raises ``ValueError`` with a readable message for a word outside the vocabulary, a sentence
    without a pronoun or longer than the models were trained on, or a layer/head out of range.
    """
    sentence = language.parse(text)
    limit = language.max_length()
    if len(sentence.words) > limit:
        raise ValueError(
            f"the sentence has {len(sentence.words)} words; keep it to {limit} or fewer"
        )
    inputs = language.encode(sentence)[None]  # (1, T)
    position = torch.tensor([sentence.pronoun])
    maps = interpret.attention_maps(transformer, inputs)  # per layer (1, h, T, T)
    if not 0 <= layer < len(maps):
        raise ValueError(f"layer must be in 0..{len(maps) - 1}, got {layer}")
    if not 0 <= head < maps[0].shape[1]:
        raise ValueError(f"head must be in 0..{maps[0].shape[1] - 1}, got {head}")
    rollout = interpret.attention_rollout(maps)[0, sentence.pronoun]  # (T,)
    answers = {
        name: language.PERSONS[int(interpret.predict(model, inputs, position))]
        for name, model in (("transformer", transformer), ("lstm", lstm))
    }
    saliency = interpret.saliency(lstm, inputs, position, method="integrated_gradients", steps=16)
    return {
        "words": list(sentence.words),
        "pronoun": sentence.pronoun,
        "expected": sentence.answer if sentence.antecedent >= 0 else None,
        **answers,
        "attention": maps[layer][0, head],
        "rollout": rollout,
        "saliency": saliency[0],
        "layer": layer,
        "head": head,
    }


def format_explanation(result: dict[str, Any]) -> str:
    """A one-paragraph HTML readout of :func:`explain_sentence`'s result."""
    words = result["words"]
    pronoun = words[result["pronoun"]]
    before = result["rollout"][: result["pronoun"]]
    top = words[int(before.argmax())] if len(before) else "(nothing)"
    sal = result["saliency"][: result["pronoun"]].abs()
    top_sal = words[int(sal.argmax())] if len(sal) else "(nothing)"
    expected = result["expected"]
    rule = (
        f"agreement says <b>{html.escape(expected)}</b>"
        if expected
        else "no single person agrees with it: the models must guess"
    )
    return (
        f"<p>Pronoun <b>{html.escape(pronoun)}</b>: {rule}. "
        f"Transformer answers <b>{html.escape(result['transformer'])}</b>, "
        f"LSTM answers <b>{html.escape(result['lstm'])}</b>. "
        f"Most attended word before the pronoun (rollout): <b>{html.escape(top)}</b>; "
        f"most salient word for the LSTM: <b>{html.escape(top_sal)}</b>.</p>"
    )


def attention_explorer(
    transformer: nn.Module, lstm: nn.Module, *, text: str = language.FIGHT_CARD
) -> ipywidgets.VBox:
    """Type a sentence, pick a layer and a head: the Transformer's attention map beside the
    LSTM's saliency, and both answers.

    Words outside the vocabulary (or no pronoun) give a message in the readout, not a
    traceback. Parts, for tests: ``box.controls`` (``"text"``, ``"layer"``, ``"head"``),
    ``box.readout`` (HTML), ``box.output`` (the plots), ``box.result`` (the last
    :func:`explain_sentence` result, or None after a bad sentence), ``box.update()``.
    """
    widgets = _import_ipywidgets()
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
            result = explain_sentence(
                text_box.value, transformer, lstm, layer=layer.value, head=head.value
            )
        except ValueError as error:
            box.result = None
            readout.value = f"<p style='color:#b00'>⚠️ {html.escape(str(error))}</p>"
            with output:
                clear_output()
            return
        box.result = result
        readout.value = format_explanation(result)
        words = result["words"]
        with output:
            clear_output(wait=True)
            fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
            heatmap(
                result["attention"],
                row_labels=words,
                col_labels=words,
                ax=left,
                title=f"Transformer: layer {result['layer']}, head {result['head']}",
            )
            sal = result["saliency"].numpy()
            right.bar(range(len(words)), sal, color=["C3" if s < 0 else "C0" for s in sal])
            right.set_xticks(range(len(words)), labels=words, rotation=45, ha="right")
            right.set_title(f"LSTM: saliency of its answer ({result['lstm']})")
            right.axhline(0, color="black", linewidth=0.5)
            display(fig)
            plt.close(fig)

    controls = {"text": text_box, "layer": layer, "head": head}
    rows = [text_box, widgets.HBox([layer, head]), readout, output]
    box = explorer_box(rows, controls, readout, update, output=output, result=None)
    update()
    return box


__all__ += ["attention_explorer", "explain_sentence", "format_explanation"]
