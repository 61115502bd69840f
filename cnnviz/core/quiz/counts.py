"""Questions about a layer's cost: its parameters and its multiply-adds for one image."""

from __future__ import annotations

from cnnviz.core.ops.counts import conv_multiply_adds, linear_multiply_adds
from cnnviz.core.ops.params import pair

from .layers import CONV, LINEAR, TRANSPOSED, groups, output_shape, parameters
from .question import Question
from .sizes import input_text, layer_text, ordered, unique

COST_LAYERS = (CONV, TRANSPOSED, LINEAR)


def _check(layer: str) -> None:
    if layer not in COST_LAYERS:
        raise ValueError(f"no cost question for {layer!r}: one of {', '.join(COST_LAYERS)}")


def _weights_text(layer: str, kwargs: dict) -> str:
    """``4·3·3·3`` (Conv2d: out × in/groups × kh × kw; ConvTranspose2d: in × out/groups ...)."""
    if layer == LINEAR:
        return f"{kwargs['in_features']}·{kwargs['out_features']}"
    kh, kw = pair(kwargs["kernel_size"], "kernel_size")
    c_in, c_out, g = int(kwargs["in_channels"]), int(kwargs["out_channels"]), groups(kwargs)
    if layer == TRANSPOSED:
        per = f"{c_out // g}" if g == 1 else f"({c_out}/{g})"
        return f"{c_in}·{per}·{kh}·{kw}"
    per = f"{c_in // g}" if g == 1 else f"({c_in}/{g})"
    return f"{c_out}·{per}·{kh}·{kw}"


def parameters_question(layer: str, kwargs: dict, input_shape=None, topic: str = "") -> Question:
    """How many parameters (weights and biases) has ``layer(**kwargs)``? Conv2d,
    ConvTranspose2d or Linear; ``input_shape`` is only carried along for the page."""
    _check(layer)
    kwargs = ordered(kwargs)
    weights, biases = parameters(layer, kwargs)
    total = weights + biases
    unit = "output feature" if layer == LINEAR else "output channel (filter)"
    explanation = f"Weights: {_weights_text(layer, kwargs)} = {weights:,}; " + (
        f"biases: one per {unit}, {biases:,}; together {total:,}."
        if biases
        else "no biases (bias=False)."
    )
    mistakes: list[tuple[int, str]] = []
    if biases:
        mistakes.append((weights, "That is the weights alone: the bias was not counted."))
    else:
        mistakes.append(
            (weights + _bias_count(layer, kwargs), "That counts a bias, but bias=False.")
        )
    if layer != LINEAR and groups(kwargs) > 1:
        full = parameters(layer, {**kwargs, "groups": 1})
        mistakes.append(
            (
                sum(full),
                f"That is the count with groups 1: with groups={groups(kwargs)} each filter "
                "reads only its group's input channels.",
            )
        )
    settings = {"layer": layer, "kwargs": kwargs}
    if input_shape is not None:
        settings["input_shape"] = [int(v) for v in input_shape]
    return Question(
        prompt=f"How many parameters (weights and biases) has {layer_text(layer, kwargs)}?",
        settings=settings,
        asks="parameters",
        answer=total,
        explanation=explanation,
        topic=topic,
        mistakes=unique([(w, t) for w, t in mistakes if w != total]),
    )


def _bias_count(layer: str, kwargs: dict) -> int:
    return int(kwargs["out_features"] if layer == LINEAR else kwargs["out_channels"])


def multiply_adds_question(layer: str, kwargs: dict, input_shape, topic: str = "") -> Question:
    """How many multiply-adds does ``layer(**kwargs)`` take for one ``input_shape`` image?
    Conv2d: one per weight of a filter per output cell; ConvTranspose2d: one per weight per
    input cell (each input cell scatters a copy of the kernel); Linear: one per weight."""
    _check(layer)
    kwargs = ordered(kwargs)
    input_shape = [int(v) for v in input_shape]
    mistakes: list[tuple[int, str]] = []
    if layer == LINEAR:
        if input_shape[-1] != int(kwargs["in_features"]):
            raise ValueError(f"the input has {input_shape[-1]} features, not in_features")
        answer = linear_multiply_adds(kwargs["in_features"], kwargs["out_features"])
        explanation = (
            f"Each of the {kwargs['out_features']} outputs takes one multiply-add per input: "
            f"{kwargs['in_features']}·{kwargs['out_features']} = {answer:,}."
        )
    else:
        answer, explanation, mistakes = _window_macs(layer, kwargs, input_shape)
    return Question(
        prompt=f"{layer_text(layer, kwargs)} takes {input_text(input_shape)}. How many "
        "multiply-adds does it take for this one input?",
        settings={"layer": layer, "kwargs": kwargs, "input_shape": input_shape},
        asks="multiply_adds",
        answer=answer,
        explanation=explanation,
        topic=topic,
        mistakes=unique([(w, t) for w, t in mistakes if w != answer]),
    )


def _window_macs(layer: str, kwargs: dict, input_shape) -> tuple[int, str, list]:
    c_out, ho, wo = output_shape(layer, kwargs, input_shape)
    c_in, h, w = input_shape
    kernel = kh, kw = pair(kwargs["kernel_size"], "kernel_size")
    g = groups(kwargs)

    def macs(cells: int, groups_: int = g, transposed: bool = layer == TRANSPOSED) -> int:
        return conv_multiply_adds(c_in, c_out, kernel, cells, groups_, transposed)

    if layer == TRANSPOSED:
        per = c_out // g
        answer = macs(c_in * h * w)
        explanation = (
            f"Each of the {c_in}·{h}·{w} input cells scatters a copy of its kernel, "
            f"{per}·{kh}·{kw} multiply-adds: {c_in}·{h}·{w} × {per}·{kh}·{kw} = {answer:,}."
        )
        # the mistake: counted as a convolution's, one filter of C_in/groups per output cell
        wrong_cells = macs(c_out * ho * wo, transposed=False)
        return (
            answer,
            explanation,
            [
                (
                    wrong_cells,
                    "That counts the output's cells; a transposed convolution's "
                    "multiply-adds come from its input cells, each times a kernel copy.",
                )
            ],
        )
    per = c_in // g
    answer = macs(c_out * ho * wo)
    explanation = (
        f"The output has {c_out}·{ho}·{wo} cells (each side by the size formula); each takes "
        f"one multiply-add per weight of its filter, {per}·{kh}·{kw}: "
        f"{c_out}·{ho}·{wo} × {per}·{kh}·{kw} = {answer:,}."
    )
    mistakes = [
        (
            macs(c_out * h * w),
            f"That uses the input's size {h}×{w}; count the output's cells, {ho}×{wo}.",
        ),
    ]
    if g > 1:
        mistakes.append(
            (
                macs(c_out * ho * wo, groups_=1),
                f"That is the count with groups 1: with groups={g} each filter reads {per} "
                f"input channel(s), not {c_in}.",
            )
        )
    return answer, explanation, mistakes
