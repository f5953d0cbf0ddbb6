"""Many seeds of one net trained as one batched computation.

:func:`fit_many` stacks the initial weights of S nets (``MLP(..., seed=s)`` for each
seed, exactly what :func:`vizcore.train.fit` would start from) into one [S, P] array
and trains them full batch. float32 tanh nets with two classes or one regression
output run in one compiled function (:func:`vizcore.engine.train_steps`: whole
stretches of steps, 16 nets side by side as the lanes of one vector, see :mod:`vizcore.lanes`);
anything else steps all S nets together through the numpy engine: one
forward, one backward and one optimiser update per step for all of them.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Optional, Sequence

import numpy as np

from . import engine, lanes
from .datasets import Dataset
from .errors import UserError
from .nets import MLP, flat_params, load_flat
from .history import History, ProgressFn, check_settings

MAX_SEEDS = 256
MIN_BLOCK = lanes.NETS  # seeds per thread: the compiled kernel trains them in lanes of 16 nets
DTYPES = {"float32": np.float32, "float64": np.float64}


@dataclass(eq=False)
class Sweep:
    """S runs of one architecture on one dataset, one :class:`~vizcore.train.History` per seed.

    seeds       : int64 [S] the seed of each net (``MLP(..., seed=seeds[i])``)
    histories   : S Histories, in the order of ``seeds`` (also reached by ``sweep[i]``)
    diverged_at : int64 [S] step at which a net's loss or gradient became NaN/inf and the
                  net was frozen there (0 = trained to the end)
    widths, activation : the architecture; ``in_dim``/``out_dim`` come from the dataset
    """

    seeds: np.ndarray
    histories: list[History]
    diverged_at: np.ndarray
    widths: tuple[int, ...]
    activation: str
    in_dim: int
    out_dim: int

    def __len__(self) -> int:
        return len(self.histories)

    def __getitem__(self, i: int) -> History:
        return self.histories[i]

    def __iter__(self):
        return iter(self.histories)

    @property
    def final_accuracy(self) -> np.ndarray:
        """float32 [S] accuracy of each net at the end of training."""
        return np.array([h.accuracy[-1] for h in self.histories], dtype=np.float32)

    def model(self, i: int, t: int = -1) -> MLP:
        """Net ``i`` (an index into ``seeds``) with the weights of its snapshot ``t``."""
        net = MLP(self.in_dim, self.widths, self.out_dim, activation=self.activation, seed=int(self.seeds[i]))
        hist = self.histories[i]
        return load_flat(net, hist.params[int(t) % len(hist)])


def initial_params(in_dim: int, widths: Sequence[int], out_dim: int, seeds: Sequence[int],
                   activation: str = "tanh") -> np.ndarray:
    """float32 [S, P]: row i holds the initial weights of ``MLP(..., seed=seeds[i])``."""
    return np.stack([flat_params(MLP(in_dim, widths, out_dim, activation=activation, seed=int(s)))
                     for s in seeds])


@np.errstate(over="ignore", invalid="ignore")  # divergence is detected per net, not warned (see train.fit)
def fit_many(dataset: Dataset | Sequence[Dataset], widths: Sequence[int], seeds: Sequence[int], steps: int = 1000,
             lr: float = 0.03, activation: str = "tanh", optimizer: str = "adam", record_every: Optional[int] = None,
             progress: Optional[ProgressFn] = None, momentum: float = 0.9, dtype: str = "float32",
             threads: int = 2) -> Sweep:
    """Train one net per seed on ``dataset``, all S of them as one batched computation.

    Parameters
    ----------
    dataset : the data, used full batch (every step sees every point); or S datasets of the
        same size and kind, net i training on dataset[i] (e.g. each drawn with its own seed,
        as :class:`vizcore.runs.RunConfig` does)
    widths : hidden-layer widths, e.g. (2, 2)
    seeds : S distinct seeds; net i starts from ``MLP(dataset.dim, widths, dataset.out_dim,
        activation, seed=seeds[i])``
    steps, lr, optimizer, momentum, record_every : as in :func:`vizcore.train.fit`
    progress : called as ``progress(done, steps, loss)`` about a hundred times, where
        ``loss`` is the mean loss over the nets that have not diverged
    dtype : "float32" (default: compiled for tanh nets, see above; otherwise numpy's float32
        tanh and exp are several times faster than its float64 ones)
        or "float64", which gives, seed for seed, what ``fit`` gives to rounding error
        (``fit`` computes in float64; float32 runs follow the same path to float32
        rounding, which over long runs can grow where training is unstable)
    threads : the seeds are split into this many blocks, each one batched computation, run
        side by side on the CPU cores (the compiled function and numpy's large array ops
        release the GIL);
        ``progress`` is called from the calling thread only

    Returns
    -------
    :class:`Sweep` holding one History per seed, in the order of ``seeds``. A net whose
    loss or gradient becomes NaN/inf is frozen at that step (``Sweep.diverged_at``)
    instead of stopping the others; ``fit`` would have raised there.
    """
    seeds = np.asarray(list(seeds), dtype=np.int64)
    if not 1 <= len(seeds) <= MAX_SEEDS:
        raise UserError(f"A sweep needs between 1 and {MAX_SEEDS} seeds; {len(seeds)} were given.")
    if len(np.unique(seeds)) != len(seeds):
        raise UserError("Each seed of a sweep must be different, or the same net would train twice.")
    if dtype not in DTYPES:
        raise UserError(f"Unknown dtype {dtype!r}; choose one of {', '.join(DTYPES)}.")
    data = _stack_datasets(dataset, len(seeds))
    check_settings(steps, lr, None, data.n)
    record_every = max(1, steps // 200) if record_every is None else max(1, int(record_every))
    widths = tuple(int(w) for w in widths)
    train = partial(_fit_block, data, widths, activation=activation, steps=steps, lr=lr, optimizer=optimizer,
                    momentum=momentum, record_every=record_every, dtype=DTYPES[dtype])
    blocks = _thread_blocks(len(seeds), threads)
    with ThreadPoolExecutor(max_workers=len(blocks) - 1 or 1) as pool:  # numpy releases the GIL in big ops
        others = [pool.submit(train, seeds[block], data.rows(block)) for block in blocks[1:]]
        parts = [train(seeds[blocks[0]], data.rows(blocks[0]), progress=progress)] + [f.result() for f in others]
    histories = [h for part, _ in parts for h in part]
    diverged_at = np.concatenate([d for _, d in parts])
    if (diverged_at > 0).all():
        raise UserError(f"Every net diverged (the first at step {diverged_at.min()}): the loss became NaN or "
                        "infinite. Lower the learning rate and train again.")
    return Sweep(seeds, histories, diverged_at, widths, activation, data.dim, data.out_dim)


def _thread_blocks(count: int, threads: int) -> list[np.ndarray]:
    """Seed indices for each thread: whole multiples of MIN_BLOCK (the last one excepted), as even as that allows."""
    chunks = -(-count // MIN_BLOCK)
    parts = np.array_split(np.arange(chunks), max(1, min(threads, chunks)))
    return [np.arange(part[0] * MIN_BLOCK, min(count, (part[-1] + 1) * MIN_BLOCK)) for part in parts]


@dataclass(frozen=True, eq=False)
class _Data:
    """Training data of a sweep: X [n, d] and y [n] shared by all nets, or [S, n, d] and [S, n]."""

    X: np.ndarray
    y: np.ndarray
    task: str
    dim: int
    out_dim: int

    @property
    def n(self) -> int:
        return int(self.X.shape[-2])

    def rows(self, block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(X, y) for the nets of ``block`` (indices into the seeds)."""
        return (self.X, self.y) if self.X.ndim == 2 else (self.X[block], self.y[block])


def _stack_datasets(dataset: Dataset | Sequence[Dataset], count: int) -> _Data:
    if isinstance(dataset, Dataset):
        return _Data(dataset.X, dataset.y, dataset.task, dataset.dim, dataset.out_dim)
    sets = list(dataset)
    if len(sets) != count:
        raise UserError(f"A sweep over {count} seeds needs one dataset per seed; {len(sets)} were given.")
    first = sets[0]
    if any((d.X.shape, d.task, d.out_dim) != (first.X.shape, first.task, first.out_dim) for d in sets):
        raise UserError("Every dataset of a sweep must have the same number of points, dimension and classes.")
    return _Data(np.stack([d.X for d in sets]), np.stack([d.y for d in sets]), first.task, first.dim,
                 max(d.out_dim for d in sets))


def _fit_block(data: _Data, widths: tuple[int, ...], seeds: np.ndarray, Xy: tuple[np.ndarray, np.ndarray],
               activation: str, steps: int, lr: float, optimizer: str, momentum: float, record_every: int, dtype,
               progress: Optional[ProgressFn] = None) -> tuple[list[History], np.ndarray]:
    """Train the nets of ``seeds`` together: (one History per seed, diverged_at [S]).

    float32 tanh nets with two classes or one regression output run compiled
    (:func:`vizcore.engine.train_steps`); anything else runs on the numpy engine.
    """
    compiled = (dtype == np.float32 and activation == "tanh" and engine.OPT_CODES.get(optimizer) is not None
                and (data.task, data.out_dim) in (("classification", 2), ("regression", 1)))
    train = _train_compiled if compiled else _train_numpy
    return train(data, widths, seeds, Xy, activation, steps, lr, optimizer, momentum, record_every, dtype, progress)


def _train_compiled(data: _Data, widths: tuple[int, ...], seeds: np.ndarray, Xy: tuple[np.ndarray, np.ndarray],
                    activation: str, steps: int, lr: float, optimizer: str, momentum: float, record_every: int,
                    dtype, progress: Optional[ProgressFn]) -> tuple[list[History], np.ndarray]:
    """The compiled path: the seeds in blocks of NETS lanes, the last block padded with copies of its first net."""
    S, N = len(seeds), lanes.NETS
    B = -(-S // N)
    pad = np.r_[np.arange(S), np.full(B * N - S, (B - 1) * N)]  # which net fills each lane
    flat = initial_params(data.dim, widths, data.out_dim, seeds, activation).astype(np.float32)
    P = flat.shape[1]
    X, y = Xy
    target = (y if data.task == "regression" else 2 * y - 1).astype(np.float32)
    if X.ndim == 3:  # one dataset per net: [B, n, d, NETS] and [B, n, NETS]
        X, target = _as_lanes(X[pad], B), _as_lanes(target[pad], B)
    else:  # shared: the same values in every lane
        X = engine.lane_array(np.broadcast_to(X[None, ..., None], (1, *X.shape, N)))
        target = engine.lane_array(np.broadcast_to(target[None, :, None], (1, len(target), N)))
    records = steps // record_every + 1 + (steps % record_every > 0)
    params = _as_lanes(flat[pad], B)  # [B, P, NETS]
    rec_params = np.empty((B, records, P, N), dtype=np.float32)
    rec_loss, rec_acc = np.empty((B, records, N), dtype=np.float32), np.empty((B, records, N), dtype=np.float32)
    m, v = engine.lane_array(np.zeros_like(params)), engine.lane_array(np.zeros_like(params))
    grad_sq = np.zeros(params.shape)
    lane_state = np.zeros(B * N, dtype=np.int64)
    lane_state[S:] = -1  # padding: never updated nor recorded
    diverged_at = lane_state.reshape(B, N)
    last_loss = np.empty((B, N))
    report_every = max(1, steps // 100)
    for start in range(0, steps + 1, report_every):
        stop = min(start + report_every, steps + 1)
        engine.train_steps(np.array((data.dim, *widths, data.out_dim), dtype=np.int64), params, X, target,
                           data.task == "regression", start, stop, steps, record_every, engine.OPT_CODES[optimizer],
                           np.float32(lr), np.float32(momentum), m, v, grad_sq, diverged_at, rec_params, rec_loss,
                           rec_acc, last_loss)
        if progress is not None:
            alive = lane_state[:S] == 0
            losses = last_loss.reshape(-1)[:S]
            progress(min(stop, steps), steps, float(losses[alive].mean()) if alive.any() else float("nan"))
    step = np.minimum(np.arange(records) * record_every, steps)
    grad_rms = np.sqrt(grad_sq / steps).astype(np.float32)

    def net(i: int) -> History:
        b, s = divmod(i, N)
        return History(np.ascontiguousarray(rec_params[b, :, :, s]), step.copy(), rec_loss[b, :, s].copy(),
                       rec_acc[b, :, s].copy(), grad_rms[b, :, s].copy())
    return [net(i) for i in range(S)], lane_state[:S].copy()


def _as_lanes(a: np.ndarray, blocks: int) -> np.ndarray:
    """[blocks * NETS, ...] one row per net as [blocks, ..., NETS]: net i in lane i % NETS of block i // NETS."""
    split = a.reshape(blocks, lanes.NETS, *a.shape[1:])
    return engine.lane_array(np.moveaxis(split, 1, -1))


def _train_numpy(data: _Data, widths: tuple[int, ...], seeds: np.ndarray, Xy: tuple[np.ndarray, np.ndarray],
                 activation: str, steps: int, lr: float, optimizer: str, momentum: float, record_every: int,
                 dtype, progress: Optional[ProgressFn]) -> tuple[list[History], np.ndarray]:
    arch = engine.Architecture((data.dim, *widths, data.out_dim), activation)
    flat = initial_params(data.dim, widths, data.out_dim, seeds, activation).astype(dtype)
    X, y = Xy[0].astype(flat.dtype), Xy[1]
    if data.task == "regression":
        y = y.astype(flat.dtype)
    rates = np.full(len(seeds), lr, dtype=flat.dtype)  # a diverged net gets rate 0: frozen
    opt = engine.Optimizer(optimizer, flat.shape, rates, momentum, dtype=flat.dtype)
    diverged_at = np.zeros(len(seeds), dtype=np.int64)
    grad_sq = np.zeros_like(flat)
    rec = _Recorder()
    ws = engine.Workspace()
    report_every = max(1, steps // 100)

    for step in range(1, steps + 2):  # the extra pass only evaluates the final weights
        record_now = (step - 1) % record_every == 0 or step - 1 == steps
        report_now = step <= steps and (step % report_every == 0 or step == steps)
        out, cache = engine.forward(arch, flat, X, ws)
        loss, d_out = engine.loss_and_output_grad(data.task, out, y, with_loss=record_now or report_now, ws=ws)
        if record_now:  # out and loss belong to the weights after step - 1 updates
            rec.add(step - 1, flat, loss, engine.accuracy(data.task, out, y))
        if step > steps:
            break
        grad = engine.backward(arch, flat, cache, d_out, ws)
        bad = ~np.isfinite(grad).all(axis=1)
        if loss is not None:
            bad |= ~np.isfinite(loss)
        new = bad & (diverged_at == 0)
        if new.any():
            diverged_at[new] = step
            rates[new] = 0.0
        if (diverged_at > 0).any():
            grad[diverged_at > 0] = 0.0
        grad_sq += grad * grad
        opt.step(flat, grad)
        if progress is not None and report_now:
            alive = diverged_at == 0
            progress(step, steps, float(loss[alive].mean()) if alive.any() else float("nan"))

    grad_rms = np.sqrt(grad_sq / steps).astype(np.float32)
    histories = [History(params, rec.steps(), loss, acc, rms)
                 for params, loss, acc, rms in zip(*rec.per_net(), grad_rms)]
    return histories, diverged_at


class _Recorder:
    """Snapshots of all S nets at the recorded steps, split per net at the end."""

    def __init__(self):
        self.step, self.params, self.loss, self.acc = [], [], [], []

    def add(self, step: int, flat: np.ndarray, loss: np.ndarray, acc: np.ndarray) -> None:
        self.step.append(step)
        self.params.append(flat.astype(np.float32))
        self.loss.append(loss.astype(np.float32))
        self.acc.append(acc.astype(np.float32))

    def steps(self) -> np.ndarray:
        return np.asarray(self.step, dtype=np.int64)

    def per_net(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """params [S, T, P], loss [S, T], accuracy [S, T]."""
        return (np.stack(self.params, axis=1), np.stack(self.loss, axis=1), np.stack(self.acc, axis=1))
