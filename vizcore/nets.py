"""A small multilayer perceptron whose every layer can be looked at."""
from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np
import torch
from torch import nn

from .errors import UserError

ACTIVATIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "softplus": nn.functional.softplus,
    "relu": torch.relu,
    "linear": lambda z: z,
}
INITS = ("default", "glorot", "he")


def parse_widths(text: str, max_width: int = 16, max_layers: int = 8) -> tuple[int, ...]:
    """Read hidden-layer widths such as "2,2,2,2"; raise UserError with a plain message otherwise."""
    parts = [p.strip() for p in str(text).replace(";", ",").split(",") if p.strip()]
    if not parts:
        raise UserError("Give at least one hidden layer width, e.g. 2,2,2.")
    if len(parts) > max_layers:
        raise UserError(f"At most {max_layers} hidden layers are allowed here; you gave {len(parts)}.")
    widths = []
    for part in parts:
        if not (part.isascii() and part.isdigit()):
            raise UserError(f"{part[:20]!r} is not a whole number: write widths like 2,2,2.")
        width = int(part)
        if not 1 <= width <= max_width:
            raise UserError(f"Each layer needs between 1 and {max_width} units; {width} is outside that.")
        widths.append(width)
    return tuple(widths)


class MLP(nn.Module):
    """x -> act(W1 x + b1) -> ... -> act(WL h + bL) -> W_out h + b_out.

    Parameters
    ----------
    in_dim, out_dim : input and output sizes
    widths : hidden-layer widths, e.g. (2, 2, 2, 2)
    activation : "tanh" (default), "sigmoid", "softplus", "relu" or "linear"
    bias : whether layers have bias vectors (the trajectory article's net has none)
    seed : seeds the initial weights through a private torch.Generator
    init : "default" (PyTorch's uniform +-1/sqrt(fan_in)), "glorot" or "he" (normal)
    """

    def __init__(self, in_dim: int, widths: Sequence[int], out_dim: int, activation: str = "tanh",
                 bias: bool = True, seed: int = 0, init: str = "default"):
        super().__init__()
        if activation not in ACTIVATIONS:
            raise UserError(f"Unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}.")
        if init not in INITS:
            raise UserError(f"Unknown initialisation {init!r}; choose one of {', '.join(INITS)}.")
        self.in_dim, self.widths, self.out_dim = int(in_dim), tuple(int(w) for w in widths), int(out_dim)
        self.activation, self.bias, self.seed, self.init = activation, bias, int(seed), init
        sizes = (self.in_dim, *self.widths, self.out_dim)
        self.layers = nn.ModuleList(nn.Linear(a, b, bias=bias) for a, b in zip(sizes[:-1], sizes[1:]))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        gen = torch.Generator().manual_seed(self.seed)
        with torch.no_grad():
            for layer in self.layers:
                fan_out, fan_in = layer.weight.shape
                if self.init == "glorot":
                    layer.weight.normal_(0, math.sqrt(2 / (fan_in + fan_out)), generator=gen)
                elif self.init == "he":
                    layer.weight.normal_(0, math.sqrt(2 / fan_in), generator=gen)
                else:
                    layer.weight.uniform_(-1 / math.sqrt(fan_in), 1 / math.sqrt(fan_in), generator=gen)
                if layer.bias is not None:
                    if self.init == "default":
                        layer.bias.uniform_(-1 / math.sqrt(fan_in), 1 / math.sqrt(fan_in), generator=gen)
                    else:
                        layer.bias.zero_()

    @property
    def act(self) -> Callable[[torch.Tensor], torch.Tensor]:
        return ACTIVATIONS[self.activation]

    @property
    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers[:-1]:
            x = self.act(layer(x))
        return self.layers[-1](x)

    @torch.no_grad()
    def hidden(self, X: np.ndarray) -> list[np.ndarray]:
        """The input, then each hidden layer's activations, as float32 arrays [n, width]."""
        h = torch.as_tensor(np.asarray(X, dtype=np.float32))
        out = [h.numpy()]
        for layer in self.layers[:-1]:
            h = self.act(layer(h))
            out.append(h.numpy())
        return out

    @torch.no_grad()
    def predict(self, X: np.ndarray) -> np.ndarray:
        """Raw outputs [n, out_dim] as float32."""
        return self.forward(torch.as_tensor(np.asarray(X, dtype=np.float32))).numpy()

    def clone(self) -> "MLP":
        twin = MLP(self.in_dim, self.widths, self.out_dim, self.activation, self.bias, self.seed, self.init)
        twin.load_state_dict(self.state_dict())
        return twin

    def extra_repr(self) -> str:
        return f"{self.in_dim}-{'-'.join(map(str, self.widths))}-{self.out_dim} {self.activation}"


def layer_weights(model: "MLP", dtype=np.float64) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W [out, in], b [out]) of every layer, hidden then output, as numpy arrays (b zero without biases)."""
    def bias(layer) -> np.ndarray:
        if layer.bias is None:
            return np.zeros(layer.out_features, dtype)
        return layer.bias.detach().numpy().astype(dtype)
    return [(layer.weight.detach().numpy().astype(dtype), bias(layer)) for layer in model.layers]


def numpy_forward(model: "MLP", X: np.ndarray, dtype=np.float64) -> tuple[list[np.ndarray], np.ndarray]:
    """The net in numpy: each hidden layer's pre-activation W·h + b [n, width], and the output [n, out].

    For tens of thousands of points through a tiny net this is several times faster than torch's
    per-call dispatch, and in float64 it keeps what float32's tanh would round to ±1.
    """
    from .engine import ACTIVATIONS

    act = ACTIVATIONS[model.activation][0]
    weights = layer_weights(model, dtype)
    h, pre = np.asarray(X, dtype=dtype), []
    for W, b in weights[:-1]:
        pre.append(h @ W.T + b)
        h = act(pre[-1])
    W, b = weights[-1]
    return pre, h @ W.T + b


def flat_params(model: nn.Module) -> np.ndarray:
    """All parameters as one float32 vector, in ``model.parameters()`` order."""
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()]).numpy().astype(np.float32)


def load_flat(model: nn.Module, flat: np.ndarray) -> nn.Module:
    """Write a flat vector (as from :func:`flat_params`) into the model's parameters, in place."""
    flat = torch.as_tensor(np.asarray(flat, dtype=np.float32))
    if flat.numel() != sum(p.numel() for p in model.parameters()):
        raise ValueError("flat vector has the wrong number of parameters for this model")
    with torch.no_grad():
        offset = 0
        for p in model.parameters():
            p.copy_(flat[offset: offset + p.numel()].view_as(p))
            offset += p.numel()
    return model


def parameter_names(model: nn.Module) -> list[str]:
    """One readable name per scalar parameter, e.g. "layer 1 W[0,1]", in flat order."""
    names = []
    for name, p in model.named_parameters():
        layer = int(name.split(".")[1]) + 1
        kind = "W" if name.endswith("weight") else "b"
        for index in np.ndindex(*p.shape):
            names.append(f"layer {layer} {kind}[{','.join(map(str, index))}]")
    return names
