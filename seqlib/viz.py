"""The plots the rounds share: gradient flow, result curves, heatmaps, training histories.

Every function draws on ``ax`` if given (so a notebook can arrange several plots in one
figure), or on a new small figure otherwise, and returns the ``matplotlib.axes.Axes``. None
calls ``plt.show()``: Jupyter displays the figure at the end of the cell.

Each fighter keeps one colour-blind-safe style (Okabe-Ito colour + marker + line style) in
every plot and every round: see ``style``. A notebook's setup cell calls ``use_course_style()``
once; ``show(fig, caption)`` displays a figure with a caption that is also its alt text.

Example::

    seqlib.viz.use_course_style()
    curves = seqlib.gradients.gradient_flow_curves(length=60)
    ax = seqlib.viz.plot_gradient_flow(curves)
    seqlib.viz.show(ax.figure, "The LSTM's gradient fades with distance; attention's does not.")
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import torch

__all__ = [
    "FIGSIZE",
    "heatmap",
    "plot_curves",
    "plot_gradient_flow",
    "plot_history",
    "show",
    "style",
    "use_course_style",
]

try:
    import matplotlib as mpl
    import matplotlib.pyplot as plt
    from cycler import cycler
    from matplotlib.figure import Figure
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "seqlib.viz needs matplotlib: run `pip install matplotlib` and restart the kernel."
    ) from error

from seqlib._validate import check_choice

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from seqlib.train import History

FIGSIZE = (6.4, 3.6)  # 640 px wide at dpi 100: readable when projected, fits beside the code
HISTORY_METRICS = ("loss", "accuracy")


# ---------------------------------------------------------------------------------------------
# One style per fighter (Okabe-Ito palette: told apart with any colour vision)
# ---------------------------------------------------------------------------------------------

# Checked in this order, so "mingru" wins over "gru". The yellow "#F0E442" is left out: too
# light on a white background.
FIGHTER_STYLES: dict[str, dict[str, object]] = {
    "transformer": {"color": "#D55E00", "marker": "s", "linestyle": "--"},  # vermillion
    "lstm": {"color": "#0072B2", "marker": "o", "linestyle": "-"},  # blue
    "mingru": {"color": "#009E73", "marker": "^", "linestyle": "-."},  # bluish green
    "gru": {"color": "#CC79A7", "marker": "D", "linestyle": ":"},  # reddish purple
}
OTHER_COLORS = ("#E69F00", "#56B4E9", "#000000")  # orange, sky blue, black
OTHER_MARKERS = ("v", "P", "X")
OTHER_LINESTYLES = ((0, (3, 1, 1, 1)), (0, (5, 2)), (0, (1, 1)))


def style(name: str) -> dict[str, object]:
    """Return the matplotlib kwargs ``{"color", "marker", "linestyle"}`` for a series ``name``.

    The name is matched case-insensitively on the fighter it contains, so "LSTM (seed 0)" gets
    the LSTM's style. Any other name gets a style chosen from a hash of the name: the same name
    gets the same style in every plot and every round. Use as ``ax.plot(x, y, **style(name))``.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    lowered = name.lower()
    for fighter, kwargs in FIGHTER_STYLES.items():
        if fighter in lowered:
            return dict(kwargs)
    h = zlib.crc32(lowered.encode("utf-8"))  # stable across runs, unlike hash()
    return {
        "color": OTHER_COLORS[h % 3],
        "marker": OTHER_MARKERS[(h // 3) % 3],
        "linestyle": OTHER_LINESTYLES[(h // 9) % 3],
    }


def use_course_style() -> None:
    """Set the course's matplotlib defaults; call once in a notebook's setup cell.

    Figures are 100 dpi (``FIGSIZE`` is then 640 px wide), ad-hoc ``ax.plot`` lines cycle
    through Okabe-Ito colours *and* markers and line styles (told apart without colour), grids
    are on and light. Under IPython, inline figures render at 2x for sharp retina screens.
    """
    styles = [*FIGHTER_STYLES.values()]
    mpl.rcParams.update(
        {
            "figure.dpi": 100,
            "figure.figsize": FIGSIZE,
            "axes.prop_cycle": cycler(color=[s["color"] for s in styles] + list(OTHER_COLORS))
            + cycler(marker=[s["marker"] for s in styles] + list(OTHER_MARKERS))
            + cycler(linestyle=[s["linestyle"] for s in styles] + list(OTHER_LINESTYLES)),
            "axes.grid": True,
            "grid.alpha": 0.3,
        }
    )
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:  # plain Python, or no inline backend: nothing to sharpen
        return
    if get_ipython() is not None:
        set_matplotlib_formats("retina")


def show(fig: Figure, caption: str, *, min_width: int = 600) -> None:
    """Display ``fig`` in the notebook with ``caption`` under it, also used as its alt text.

    The plotting functions here return an Axes: pass its figure, ``show(ax.figure, "...")``.
    The figure is rendered at 2x its dpi (sharp on retina screens) and shown ``min_width`` px
    wide or more; a narrower figure raises ValueError (widen its ``figsize``). The figure is
    then closed, so Jupyter does not draw it a second time.
    """
    if not isinstance(fig, Figure):
        hint = " (pass ax.figure)" if hasattr(fig, "figure") else ""
        raise TypeError(f"fig must be a matplotlib Figure{hint}, got {type(fig).__name__}")
    if not isinstance(caption, str):
        raise TypeError(f"caption must be a str, got {type(caption).__name__}")
    if not caption.strip():
        raise ValueError("caption is empty: say what the figure shows (it is also the alt text)")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=2 * fig.dpi, bbox_inches="tight")
    png = buffer.getvalue()
    (pixel_width,) = struct.unpack(">I", png[16:20])  # from the PNG header (IHDR chunk)
    width = pixel_width // 2  # CSS px: each displayed px is 2x2 image pixels
    if width < min_width:
        raise ValueError(
            f"figure is {width} px wide, below min_width={min_width}: widen its figsize "
            f"(e.g. figsize={FIGSIZE}) or raise figure.dpi (use_course_style() sets 100)"
        )
    from IPython import display

    display.display(display.Image(data=png, format="png", width=width, alt=caption))
    display.display(display.Markdown(f"*{caption}*"))
    plt.close(fig)


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _axes(ax: Axes | None, figsize: tuple[float, float] = FIGSIZE) -> Axes:
    """Return ``ax``, or the Axes of a new figure of size ``figsize`` if ``ax`` is None."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _to_numpy(values: object, name: str, *, ndim: int) -> np.ndarray:
    """Convert a tensor, array or list to a float64 array of rank ``ndim``."""
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().double().numpy()
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{name} must be a tensor, an array or a list of numbers, got {type(values).__name__}"
        ) from error
    if array.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-D, got {array.ndim}-D with shape {array.shape}")
    return array


def _check_mapping(value: object, name: str, what: str) -> None:
    """``value`` must be a non-empty mapping (label -> ``what``)."""
    if not isinstance(value, Mapping):
        raise TypeError(
            f"{name} must be a mapping {{label: {what}}}, got {type(value).__name__}"
            " (wrap a single one as {'name': ...})"
        )
    if not value:
        raise ValueError(f"{name} is empty: expected at least one {{label: {what}}} entry")


def _legend(ax: Axes) -> None:
    """Add a legend if anything on ``ax`` has a label."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(frameon=False)


# ---------------------------------------------------------------------------------------------
# Gradient flow (round 1)
# ---------------------------------------------------------------------------------------------


def plot_gradient_flow(
    curves: Mapping[str, torch.Tensor | np.ndarray],
    *,
    ax: Axes | None = None,
    title: str | None = None,
) -> Axes:
    """Plot ``‖∂h_T/∂x_t‖`` against the distance ``T - t`` on a log scale, one line per model.

    ``curves`` maps a model name to a 1-D tensor or array (T,) whose entry k is the gradient
    norm at distance k (as returned by ``seqlib.gradients.gradient_flow_curves``). Zeros (a
    gradient that underflowed or a path that does not exist) cannot be drawn on a log scale:
    they are left out of the line, and a model whose curve is all zeros says so in the legend.
    """
    _check_mapping(curves, "curves", "1-D tensor of gradient norms")
    ax = _axes(ax)
    for name, curve in curves.items():
        norms = _to_numpy(curve, f"curves[{name!r}]", ndim=1)
        distance = np.arange(len(norms))  # (T,): 0, 1, ..., T-1
        drawable = np.isfinite(norms) & (norms > 0)
        label = str(name) if drawable.any() else f"{name} (all zero)"
        kwargs = style(str(name)) | {"markevery": max(1, len(norms) // 10)}
        ax.plot(distance, np.where(drawable, norms, np.nan), label=label, linewidth=2, **kwargs)
    ax.set_yscale("log")
    ax.set_xlabel(r"distance $T - t$ (steps back in time)")
    ax.set_ylabel(r"$\Vert\partial h_T / \partial x_t\Vert$ (log scale)")
    if title is not None:
        ax.set_title(title)
    ax.grid(True, which="major", alpha=0.3)
    _legend(ax)
    return ax


# ---------------------------------------------------------------------------------------------
# Result curves (accuracy vs number of pairs, vs test length, learning curves ...)
# ---------------------------------------------------------------------------------------------


def plot_curves(
    x: Sequence[float],
    series: Mapping[str, Sequence[float]],
    *,
    xlabel: str,
    ylabel: str,
    ax: Axes | None = None,
    logx: bool = False,
    logy: bool = False,
    title: str | None = None,
    spread: Mapping[str, Sequence[float]] | None = None,
    hline: float | None = None,
    hline_label: str | None = None,
) -> Axes:
    """Plot one line with markers per entry of ``series`` against the shared ``x``.

    ``x`` (N,) and every ``series[name]`` (N,) must have the same length. ``spread[name]`` (N,),
    if given, is shaded as ``value ± spread`` (e.g. the standard deviation over seeds); names
    missing from ``spread`` get no band. ``hline`` draws a dashed horizontal reference line (e.g.
    chance level), labelled ``hline_label``.
    """
    x_values = _to_numpy(x, "x", ndim=1)
    _check_mapping(series, "series", "list of y values")
    spread = {} if spread is None else spread
    if not isinstance(spread, Mapping):
        raise TypeError(f"spread must be a mapping {{label: values}}, got {type(spread).__name__}")
    unknown = set(spread) - set(series)
    if unknown:
        raise ValueError(f"spread has names {sorted(unknown)} not in series {list(series)}")
    ax = _axes(ax)
    for name, values in series.items():
        y = _to_numpy(values, f"series[{name!r}]", ndim=1)
        if len(y) != len(x_values):
            raise ValueError(
                f"series[{name!r}] must have one value per x: expected {len(x_values)}, "
                f"got {len(y)}"
            )
        (line,) = ax.plot(x_values, y, label=str(name), **style(str(name)))
        if name in spread:
            band = _to_numpy(spread[name], f"spread[{name!r}]", ndim=1)
            if len(band) != len(x_values):
                raise ValueError(
                    f"spread[{name!r}] must have one value per x: expected {len(x_values)}, "
                    f"got {len(band)}"
                )
            ax.fill_between(x_values, y - band, y + band, color=line.get_color(), alpha=0.2)
    if hline is not None:
        ax.axhline(hline, color="gray", linestyle="--", linewidth=1, label=hline_label)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    ax.grid(True, alpha=0.3)
    _legend(ax)
    return ax


# ---------------------------------------------------------------------------------------------
# Heatmaps (attention maps)
# ---------------------------------------------------------------------------------------------


def _check_labels(labels: Sequence[str] | None, name: str, expected: int, what: str) -> None:
    if labels is not None and len(labels) != expected:
        raise ValueError(
            f"{name} must have one label per {what}: expected {expected}, got {len(labels)}"
        )


def heatmap(
    matrix: torch.Tensor | np.ndarray | Sequence[Sequence[float]],
    *,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    cmap: str = "viridis",
    annotate: bool = False,
    vmin: float | None = None,
    vmax: float | None = None,
) -> Axes:
    """Show a 2-D ``matrix`` (R, C) as coloured cells with a colour bar.

    For an attention map, rows are queries (the token that looks) and columns are keys (the
    tokens looked at): pass the tokens as ``row_labels`` (R,) and ``col_labels`` (C,).
    ``annotate=True`` writes each value in its cell (for small matrices, e.g. 3 x 3).
    """
    values = _to_numpy(matrix, "matrix", ndim=2)
    rows, cols = values.shape
    _check_labels(row_labels, "row_labels", rows, "row")
    _check_labels(col_labels, "col_labels", cols, "column")
    ax = _axes(ax, figsize=(min(2 + 0.5 * cols, 8), min(1.5 + 0.45 * rows, 7)))
    image = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    ax.grid(False)  # the course style's grid would cut through the cells
    ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ax.set_xticks(range(cols), labels=col_labels if col_labels is not None else range(cols))
    ax.set_yticks(range(rows), labels=row_labels if row_labels is not None else range(rows))
    if col_labels is not None:  # tokens: tilted so long words do not overlap
        for label in ax.get_xticklabels():
            label.set(rotation=45, horizontalalignment="right", rotation_mode="anchor")
    if annotate:
        middle = np.mean(image.get_clim())
        for r in range(rows):
            for c in range(cols):
                color = "black" if values[r, c] > middle else "white"  # readable on viridis
                ax.text(c, r, f"{values[r, c]:.2f}", ha="center", va="center", color=color)
    if title is not None:
        ax.set_title(title)
    return ax


# ---------------------------------------------------------------------------------------------
# Training histories
# ---------------------------------------------------------------------------------------------


def plot_history(
    histories: Mapping[str, History],
    *,
    ax: Axes | None = None,
    metric: str = "loss",
) -> Axes:
    """Plot training curves by step, one style per run, from ``seqlib.train`` histories.

    ``metric`` is ``"loss"`` or ``"accuracy"``. The per-step training values are a thin line;
    evaluations on held-out data, if any, are markers of the same colour labelled ``"(eval)"``.
    """
    from seqlib.train import History

    check_choice(metric, "metric", HISTORY_METRICS)
    _check_mapping(histories, "histories", "History")
    ax = _axes(ax)
    for name, history in histories.items():
        if not isinstance(history, History):
            raise TypeError(
                f"histories[{name!r}] must be a seqlib History (what train() returns), "
                f"got {type(history).__name__}"
            )
        train_values = getattr(history, metric)
        kwargs = style(str(name))
        ax.plot(
            history.step,
            train_values,
            color=kwargs["color"],
            linestyle=kwargs["linestyle"],
            linewidth=1,
            alpha=0.8,
            label=f"{name}",
        )
        eval_values = getattr(history, f"eval_{metric}")
        if eval_values:
            ax.plot(
                history.eval_step,
                eval_values,
                color=kwargs["color"],
                marker=kwargs["marker"],
                linestyle="none",
                label=f"{name} (eval)",
            )
    ax.set_xlabel("training step")
    ax.set_ylabel(metric)
    ax.grid(True, alpha=0.3)
    _legend(ax)
    return ax
