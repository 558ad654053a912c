"""A small convolutional network over a page's blocks in order, beside the trees.

The trees decide each block from hand-made context columns (neighbours, windows, sections).
This stage reads the same columns for every block of the page in order, through a stack
of dilated convolutions (each block sees about ±(1 + sum of the dilations) blocks) and a
summary of the whole page, and learns its own view of the page's regions. It is a
different kind of model from the trees, and the average of the two log-odds ranks a page's
blocks better than either alone (README, Quality).

It is written in numpy, forward and backward, so that training needs nothing beyond what
cleaning needs; `gradients` is checked against finite differences in the tests.

Shapes: a batch is several pages laid end to end, N rows of F columns; `pages` gives each
row's page, and a convolution never reads across a page's edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import _speedups

CHANNELS = 32
DILATIONS = (1, 2, 4, 8, 16)
EPOCHS = 16
ROWS_PER_BATCH = 16_000
LEARNING_RATE = 2e-3
WEIGHT_DECAY = 1e-4
CLIP = 6.0  # standardized columns are clipped to ±CLIP
SEQUENCE_SHARE = 0.4  # the network's share of the body log-odds; the trees have the rest
# The input kinds that train a network: both (README, Quality, for what each earns and costs).
SEQUENCE_KINDS = ("html", "text")


def _shift(h: np.ndarray, offset: int) -> np.ndarray:
    """Row i of the result is row i + offset of h (zeros beyond either end)."""
    out = np.zeros_like(h)
    if offset > 0:
        out[:-offset] = h[offset:]
    elif offset < 0:
        out[-offset:] = h[:offset]
    else:
        out[:] = h
    return out


class _Batch:
    """Row bookkeeping for pages laid end to end: which rows may read which neighbours."""

    def __init__(self, pages: np.ndarray, offsets: Sequence[int]):
        self.pages = pages
        self.n_pages = int(pages[-1]) + 1 if len(pages) else 0
        self.starts = np.flatnonzero(np.r_[True, pages[1:] != pages[:-1]]) if len(pages) else pages
        counts = np.bincount(pages, minlength=self.n_pages).astype(np.float64)
        self.inverse_sizes = (1.0 / np.maximum(counts, 1.0))[:, None]
        self.valid = {}
        for offset in set(offsets) | {-o for o in offsets}:
            same = _shift(pages[:, None], offset)[:, 0] == pages
            if offset > 0:
                same[len(pages) - offset :] = False
            elif offset < 0:
                same[:-offset] = False
            self.valid[offset] = same[:, None]

    def read(self, h: np.ndarray, offset: int) -> np.ndarray:
        """Each row's neighbour at `offset` on its own page, or zeros."""
        return _shift(h, offset) * self.valid[offset] if offset else h

    def read_back(self, u: np.ndarray, offset: int) -> np.ndarray:
        """The transpose of `read`: where each row's gradient goes back to."""
        return _shift(u * self.valid[offset], -offset) if offset else u

    def page_means(self, h: np.ndarray) -> np.ndarray:
        return self.page_sums(h) * self.inverse_sizes.astype(h.dtype)

    def page_sums(self, h: np.ndarray) -> np.ndarray:
        """Sum of h's rows per page (the pages' rows are consecutive)."""
        sums = np.zeros((self.n_pages, h.shape[1]), dtype=h.dtype)
        sums[self.pages[self.starts]] = np.add.reduceat(h, self.starts, axis=0)
        return sums


@dataclass
class SequenceStage:
    """The fitted network: column standardization, input layer, dilated residual
    convolutions (three taps each: the neighbour `d` blocks before, the block, `d` after),
    a page summary, and a linear output over the block's last state, the page summary
    and its own columns."""

    mean: np.ndarray  # (F,)
    scale: np.ndarray  # (F,)
    w_in: np.ndarray  # (F, C)
    b_in: np.ndarray  # (C,)
    conv_w: np.ndarray  # (layers, 3, C, C)
    conv_b: np.ndarray  # (layers, C)
    w_page: np.ndarray  # (C, C)
    b_page: np.ndarray  # (C,)
    w_out: np.ndarray  # (2C + F,)
    b_out: np.ndarray  # (1,)
    dilations: tuple[int, ...] = DILATIONS

    PARAMS = ("w_in", "b_in", "conv_w", "conv_b", "w_page", "b_page", "w_out", "b_out")

    @classmethod
    def initial(
        cls, mean, scale, channels: int, dilations: Sequence[int], rng, dtype=np.float32
    ) -> SequenceStage:
        n_in, layers = len(mean), len(dilations)

        def normal(shape, fan_in, gain=1.0):
            return (rng.standard_normal(shape) * gain * np.sqrt(2.0 / fan_in)).astype(dtype)

        return cls(
            mean=np.asarray(mean, dtype),
            scale=np.asarray(scale, dtype),
            w_in=normal((n_in, channels), n_in),
            b_in=np.zeros(channels, dtype),
            conv_w=normal((layers, 3, channels, channels), 3 * channels, gain=0.5 / np.sqrt(layers)),
            conv_b=np.zeros((layers, channels), dtype),
            w_page=normal((channels, channels), channels, gain=0.7),
            b_page=np.zeros(channels, dtype),
            w_out=np.zeros(2 * channels + n_in, dtype),
            b_out=np.zeros(1, dtype),
            dilations=tuple(dilations),
        )

    def standardize(self, X: np.ndarray) -> np.ndarray:
        return np.clip((X.astype(self.mean.dtype) - self.mean) / self.scale, -CLIP, CLIP)

    def _forward(self, xs: np.ndarray, batch: _Batch):
        """Log-odds of each row, and what the backward pass needs: every layer's states,
        which training can afford and cleaning does not keep (`_page_logits`)."""
        a0 = xs @ self.w_in + self.b_in
        h = np.maximum(a0, 0)
        states, pre = [h], []
        for layer, d in enumerate(self.dilations):
            z = self.conv_b[layer] + batch.read(h, -d) @ self.conv_w[layer, 0]
            z += h @ self.conv_w[layer, 1]
            z += batch.read(h, d) @ self.conv_w[layer, 2]
            h = h + np.maximum(z, 0)
            states.append(h)
            pre.append(z)
        means = batch.page_means(h)
        summary = np.tanh(means @ self.w_page + self.b_page)
        c = h.shape[1]
        logits = (
            h @ self.w_out[:c]
            + summary[batch.pages] @ self.w_out[c : 2 * c]
            + xs @ self.w_out[2 * c :]
            + self.b_out[0]
        )
        return logits, (a0, states, pre, means, summary)

    def logits(self, X: np.ndarray, pages: np.ndarray | None = None) -> np.ndarray:
        """Body log-odds of each row; rows of one page unless `pages` says otherwise."""
        if len(X) == 0:
            return np.zeros(0, dtype=np.float64)
        if pages is None:
            return self._page_logits(self.standardize(X)).astype(np.float64)
        logits, _ = self._forward(self.standardize(X), _Batch(pages, self.dilations))
        return logits.astype(np.float64)

    def _page_logits(self, xs: np.ndarray) -> np.ndarray:
        """`_forward` for one page, as cleaning calls it: each convolution is one product
        with its three taps side by side, the taps' outputs then added at their offsets
        (the same sums; a third of the products and no shifted copies of the states), and
        one layer's states held at a time, so that a page of a million blocks fits. What
        follows each product is one C pass where `_sequence` is built."""
        h = np.maximum(xs @ self.w_in + self.b_in, 0)
        n, c = h.shape
        fused = (
            (c_sequence := _speedups.get("sequence")) is not None
            and h.dtype == np.float32
            and self.conv_b.dtype == np.float32
        )
        for layer, d in enumerate(self.dilations):
            taps = h @ self._stacked_taps[layer]
            if fused:
                c_sequence.conv_residual(n, c, d, taps, self.conv_b[layer], h)
                continue
            z = taps[:, c : 2 * c] + self.conv_b[layer]
            if d < len(h):
                z[d:] += taps[:-d, :c]
                z[:-d] += taps[d:, 2 * c :]
            np.maximum(z, 0, out=z)
            h += z
        summary = np.tanh(h.mean(axis=0) @ self.w_page + self.b_page)
        return h @ self.w_out[:c] + (
            xs @ self.w_out[2 * c :] + (summary @ self.w_out[c : 2 * c] + self.b_out[0])
        )

    @cached_property
    def _stacked_taps(self) -> np.ndarray:
        """(layers, C, 3C): each layer's three tap matrices side by side, made once."""
        return np.ascontiguousarray(
            np.concatenate((self.conv_w[:, 0], self.conv_w[:, 1], self.conv_w[:, 2]), axis=2)
        )

    def gradients(self, X: np.ndarray, y: np.ndarray, w: np.ndarray, pages: np.ndarray):
        """Weighted mean log-loss over the rows and its gradient for each of PARAMS."""
        xs = self.standardize(X)
        batch = _Batch(pages, self.dilations)
        logits, (a0, states, pre, means, summary) = self._forward(xs, batch)
        p = 1.0 / (1.0 + np.exp(-logits))
        total = w.sum()
        eps = 1e-12
        loss = float(-(w * (y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))).sum() / total)
        delta = (w * (p - y) / total).astype(xs.dtype)
        c = states[-1].shape[1]
        grads = {}
        grads["w_out"] = np.concatenate(
            (
                states[-1].T @ delta,
                summary[batch.pages].T @ delta,
                xs.T @ delta,
            )
        )
        grads["b_out"] = np.array([delta.sum()], dtype=xs.dtype)
        dh = np.outer(delta, self.w_out[:c])
        d_summary = batch.page_sums(np.outer(delta, self.w_out[c : 2 * c]))
        d_pre_page = d_summary * (1 - summary * summary)
        grads["w_page"] = means.T @ d_pre_page
        grads["b_page"] = d_pre_page.sum(axis=0)
        d_means = d_pre_page @ self.w_page.T
        dh = dh + (d_means * batch.inverse_sizes.astype(xs.dtype))[batch.pages]
        conv_w = np.zeros_like(self.conv_w)
        conv_b = np.zeros_like(self.conv_b)
        for layer in reversed(range(len(self.dilations))):
            d = self.dilations[layer]
            h_prev, z = states[layer], pre[layer]
            dz = dh * (z > 0)
            conv_b[layer] = dz.sum(axis=0)
            conv_w[layer, 0] = batch.read(h_prev, -d).T @ dz
            conv_w[layer, 1] = h_prev.T @ dz
            conv_w[layer, 2] = batch.read(h_prev, d).T @ dz
            dh = (
                dh
                + batch.read_back(dz @ self.conv_w[layer, 0].T, -d)
                + dz @ self.conv_w[layer, 1].T
                + batch.read_back(dz @ self.conv_w[layer, 2].T, d)
            )
        grads["conv_w"], grads["conv_b"] = conv_w, conv_b
        da0 = dh * (a0 > 0)
        grads["w_in"] = xs.T @ da0
        grads["b_in"] = da0.sum(axis=0)
        return loss, grads

    @classmethod
    def fit(
        cls,
        pages: Sequence[np.ndarray],
        labels: Sequence[np.ndarray],
        weights: Sequence[np.ndarray],
        seed: int,
        channels: int = CHANNELS,
        dilations: Sequence[int] = DILATIONS,
        epochs: int = EPOCHS,
        rows_per_batch: int = ROWS_PER_BATCH,
    ) -> SequenceStage:
        """Fit on whole pages (rows of context columns in page order), by Adam with decoupled
        weight decay, the learning rate warming up over the first epoch and falling linearly
        to zero; batches are pages of similar length, shuffled."""
        rng = np.random.default_rng(seed)
        X_all = np.vstack(pages)
        mean = X_all.mean(axis=0)
        scale = X_all.std(axis=0) + 1e-6
        del X_all
        model = cls.initial(mean, scale, channels, dilations, rng)
        batches = _batches([len(p) for p in pages], rows_per_batch)
        steps = max(epochs * len(batches), 1)
        warmup = max(len(batches), 1)
        moments = {
            name: (np.zeros_like(getattr(model, name)), np.zeros_like(getattr(model, name)))
            for name in cls.PARAMS
        }
        step = 0
        for _ in range(epochs):
            for index in rng.permutation(len(batches)):
                members = batches[index]
                X = np.vstack([pages[i] for i in members])
                y = np.concatenate([labels[i] for i in members]).astype(np.float32)
                w = np.concatenate([weights[i] for i in members]).astype(np.float32)
                page_ids = np.repeat(np.arange(len(members)), [len(pages[i]) for i in members])
                _, grads = model.gradients(X, y, w, page_ids)
                step += 1
                rate = LEARNING_RATE * min(step / warmup, (steps - step + 1) / max(steps - warmup, 1))
                model._adam(grads, moments, step, rate)
        return model

    def _adam(self, grads, moments, step: int, rate: float, beta1=0.9, beta2=0.999, eps=1e-8) -> None:
        for name in self.PARAMS:
            value = getattr(self, name)
            first, second = moments[name]
            grad = grads[name].astype(value.dtype)
            first *= beta1
            first += (1 - beta1) * grad
            second *= beta2
            second += (1 - beta2) * grad * grad
            first_hat = first / (1 - beta1**step)
            second_hat = second / (1 - beta2**step)
            value *= 1 - rate * WEIGHT_DECAY
            value -= rate * first_hat / (np.sqrt(second_hat) + eps)


def _batches(sizes: Sequence[int], rows_per_batch: int) -> list[list[int]]:
    """Page indices grouped into batches of similar-length pages, about `rows_per_batch`
    rows each (a longer page makes a batch of its own)."""
    order = np.argsort(sizes, kind="stable")
    batches: list[list[int]] = []
    current: list[int] = []
    rows = 0
    for index in order:
        if current and rows + sizes[index] > rows_per_batch:
            batches.append(current)
            current, rows = [], 0
        current.append(int(index))
        rows += sizes[index]
    if current:
        batches.append(current)
    return batches
