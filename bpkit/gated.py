"""Gated recurrent layers: the LSTM and the GRU, with full and truncated BPTT.

Both keep the contract of :class:`bpkit.rnn.RNN`: time-major ``xs: (T, batch, n_in)``,
``forward(xs, h0=None) -> hs``, ``backward(dhs, truncate=None) -> dxs`` filling ``grads``,
and ``params``/``grads`` dicts with the same keys. The gates' weights are stored side by
side in one matrix, so each step needs one matmul, not four.

The LSTM step (gates in PyTorch's order i, f, g, o)::

    a_t = x_t Wx + h_{t-1} Wh + b           (batch, 4H), split into a_i, a_f, a_g, a_o
    i = σ(a_i)  f = σ(a_f)  g = tanh(a_g)  o = σ(a_o)
    c_t = f ⊙ c_{t-1} + i ⊙ g               the cell state: an additive path
    h_t = o ⊙ tanh(c_t)

Along the cell state alone, ∂c_t/∂c_{t-1} = diag(f_t): no matrix W, no tanh' (see
:func:`forget_gate_product`). PyTorch calls these ``nn.LSTM`` and ``nn.GRU``; they store
the weights transposed (``weight_ih_l0 = Wx.T``) and add a second bias.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from bpkit.rnn import _check_truncate, check_sequence

__all__ = ["GRU", "LSTM", "forget_gate_product", "input_gradient_norms", "sigmoid"]


def sigmoid(z: Any) -> np.ndarray:
    """Return σ(z) = 1 / (1 + e^−z), computed as (1 + tanh(z/2)) / 2: it never overflows.

    Accurate to about 1e-16 absolute (not relative: σ(−30) ≈ 9e-14 has 4 good digits).
    """
    return 0.5 + 0.5 * np.tanh(0.5 * np.asarray(z, dtype=np.float64))


def _sigmoid_(a: np.ndarray) -> None:
    """σ in place, without overflow: σ(a) = 0.5 tanh(a/2) + 0.5."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5


class _Recurrent:
    """What the LSTM and GRU share: weights, shape checks, ``parameters()``."""

    n_gates = 1

    def __init__(self, n_in: int, n_hidden: int, seed: int = 0):
        rng = np.random.default_rng(seed)
        G = self.n_gates * n_hidden
        self.n_in, self.n_hidden = n_in, n_hidden
        self.params = {
            "Wx": rng.standard_normal((n_in, G)) / np.sqrt(n_in),
            "Wh": rng.standard_normal((n_hidden, G)) / np.sqrt(n_hidden),
            "b": np.zeros(G),
        }
        self.dh0: np.ndarray | None = None
        self._cache: Any = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.n_in}→{self.n_hidden})"

    def _init_grads(self) -> None:
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}

    def parameters(self) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
        """Yield ``(name, param, grad)`` triples, like ``bpkit.nn`` models."""
        for name, param in self.params.items():
            yield name, param, self.grads[name]

    def _state(self, name: str, state: Any, batch: int) -> np.ndarray:
        if state is None:
            return np.zeros((batch, self.n_hidden))
        state = np.asarray(state, dtype=np.float64)
        if state.shape != (batch, self.n_hidden):
            raise ValueError(
                f"{self}.forward: expected {name} of shape (batch, {self.n_hidden}) = "
                f"({batch}, {self.n_hidden}), got {state.shape}. Pass the last state, "
                f"e.g. hs[-1]."
            )
        return state

    def _check_xs(self, xs: Any) -> np.ndarray:
        return check_sequence(self, xs, self.n_in)

    def _check_dhs(self, dhs: Any, hs: np.ndarray) -> np.ndarray:
        dhs = np.asarray(dhs, dtype=np.float64)
        if dhs.shape != hs.shape:
            raise ValueError(
                f"{self}.backward: expected dhs shaped like hs {hs.shape}, got {dhs.shape}. "
                "dhs[t] is dL/dh_t for every step."
            )
        return dhs

    def _input_projection(self, xs: np.ndarray) -> np.ndarray:
        """x_t Wx + b for every step at once: one matmul. Shapes: → (T, batch, G)."""
        T, batch, _ = xs.shape
        a = xs.reshape(T * batch, self.n_in) @ self.params["Wx"]
        a += self.params["b"]
        return a.reshape(T, batch, -1)

    def _finish_backward(self, xs: np.ndarray, dax: np.ndarray) -> np.ndarray:
        """dWx, db and dxs from every step's dL/da at once (one matmul each)."""
        T, batch, _ = xs.shape
        flat = dax.reshape(T * batch, -1)
        np.dot(xs.reshape(T * batch, -1).T, flat, out=self.grads["Wx"])  # Σ_t x_tᵀ da_t
        np.sum(flat, axis=0, out=self.grads["b"])
        return (flat @ self.params["Wx"].T).reshape(xs.shape)  # dx_t = da_t Wxᵀ


class LSTM(_Recurrent):
    """A long short-term memory layer that keeps every state and gate for BPTT.

    Shapes: xs: (T, batch, n_in) → hs: (T, batch, n_hidden); Wx: (n_in, 4H),
    Wh: (H, 4H), b: (4H,), the four gates' columns in the order i, f, g, o (PyTorch's).
    ``forget_bias`` starts the forget gate's bias there (1 keeps f ≈ 0.73 at first).
    After ``forward``: ``cs``, and ``gates`` (a dict of i, f, g, o, each (T, batch, H)).
    After ``backward``: ``dcs`` (dL/dc_t, with the gradient from later steps),
    ``dc_norms`` (T,), ``dh0`` and ``dc0``.
    """

    n_gates = 4

    def __init__(self, n_in: int, n_hidden: int, seed: int = 0, forget_bias: float = 1.0):
        super().__init__(n_in, n_hidden, seed)
        self.params["b"][n_hidden : 2 * n_hidden] = forget_bias
        self._init_grads()
        self.dc0: np.ndarray | None = None

    def forward(self, xs: Any, h0: Any = None, c0: Any = None) -> np.ndarray:
        """Run the sequence; return every hidden state. h0, c0: (batch, H) or None (zeros)."""
        xs = self._check_xs(xs)
        T, batch, _ = xs.shape
        H = self.n_hidden
        h, c = self._state("h0", h0, batch), self._state("c0", c0, batch)
        h0, c0 = h, c
        # σ(a) = ½ tanh(a/2) + ½: with the sigmoid gates' columns halved in advance, one
        # tanh over all four gates, one multiply and one add give i, f, g, o at once.
        half = np.full(4 * H, 0.5)
        half[2 * H : 3 * H] = 1.0  # g = tanh(a_g) is not halved
        shift = 1.0 - half  # + ½ for the sigmoid gates, + 0 for g
        Wh = self.params["Wh"] * half
        acts = self._input_projection(xs)  # becomes the gates in place
        acts *= half
        hs, cs, tanh_cs = np.empty((3, T, batch, H))
        for t in range(T):
            a = acts[t]
            a += h @ Wh  # a_t = x_t Wx + b + h_{t-1} Wh (sigmoid columns halved)
            np.tanh(a, out=a)
            a *= half
            a += shift  # i, f, o = σ(a), g = tanh(a_g)
            i, f, g, o = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
            c = cs[t]
            np.multiply(f, c0 if t == 0 else cs[t - 1], out=c)
            c += i * g  # c_t = f ⊙ c_{t-1} + i ⊙ g
            np.tanh(c, out=tanh_cs[t])
            h = hs[t]
            np.multiply(o, tanh_cs[t], out=h)  # h_t = o ⊙ tanh(c_t)
        self.cs = cs
        self.gates = {name: acts[..., n * H : (n + 1) * H] for n, name in enumerate("ifgo")}
        self._cache = (xs, h0, c0, hs, cs, tanh_cs, acts)
        return hs

    def backward(self, dhs: Any, truncate: int | None = None) -> np.ndarray:
        """Backpropagate ``dhs = dL/dhs`` through time; fill ``grads``, return ``dxs``.

        ``truncate=k`` cuts the steps into chunks of k: no gradient (neither dh nor dc)
        crosses a chunk boundary. Shapes: dhs: (T, batch, H) → dxs: (T, batch, n_in).
        """
        if self._cache is None:
            raise RuntimeError(f"{self}.backward: call forward(xs) first; there is nothing cached.")
        k = _check_truncate(f"{self}.backward", truncate)
        xs, h0, c0, hs, cs, tanh_cs, acts = self._cache
        dhs = self._check_dhs(dhs, hs)
        T, batch, H = hs.shape
        WhT = self.params["Wh"].T
        das = np.empty_like(acts)  # dL/da_t for all four gates
        dcs = np.empty_like(cs)
        dh_next, dc_next = np.zeros((2, batch, H))  # arriving from step t + 1
        # Step by step: the (batch, H) arrays stay in the CPU cache, which beats computing
        # the local derivatives of all steps at once on arrays T times larger.
        for t in range(T - 1, -1, -1):
            if k is not None and (t + 1) % k == 0:
                dh_next[:], dc_next[:] = 0.0, 0.0  # a chunk boundary: nothing flows back
            i, f, g, o = (acts[t, :, n * H : (n + 1) * H] for n in range(4))
            c_prev, tanh_c, da, dc = (cs[t - 1] if t else c0), tanh_cs[t], das[t], dcs[t]
            dh = dhs[t] + dh_next
            # h_t = o ⊙ tanh(c_t):  do = dh ⊙ tanh(c_t),  dc += dh ⊙ o ⊙ (1 − tanh²(c_t))
            do = dh * tanh_c
            np.multiply(tanh_c, tanh_c, out=dc)
            np.subtract(1.0, dc, out=dc)
            dc *= o
            dc *= dh
            dc += dc_next  # both paths into c_t
            np.multiply(do, o * (1.0 - o), out=da[:, 3 * H :])  # o = σ(a_o)
            # c_t = f ⊙ c_{t-1} + i ⊙ g:  di = dc ⊙ g,  df = dc ⊙ c_{t-1},  dg = dc ⊙ i
            np.multiply(dc * g, i * (1.0 - i), out=da[:, :H])  # i = σ(a_i)
            np.multiply(dc * c_prev, f * (1.0 - f), out=da[:, H : 2 * H])  # f = σ(a_f)
            np.multiply(dc * i, 1.0 - g * g, out=da[:, 2 * H : 3 * H])  # g = tanh(a_g)
            np.multiply(dc, f, out=dc_next)  # the additive path: dc_{t-1} = dc_t ⊙ f_t
            np.dot(da, WhT, out=dh_next)  # dh_{t-1} = da_t Whᵀ
        self.dh0, self.dc0 = dh_next.copy(), dc_next.copy()
        hprev = np.concatenate([h0[None], hs[:-1]]).reshape(T * batch, H)
        np.dot(hprev.T, das.reshape(T * batch, -1), out=self.grads["Wh"])  # Σ h_{t-1}ᵀ da_t
        self.dcs = dcs
        self.dc_norms = np.sqrt(np.einsum("tbh,tbh->t", dcs, dcs))
        return self._finish_backward(xs, das)


class GRU(_Recurrent):
    """A gated recurrent unit (PyTorch's equations, gates in its order r, z, n).

    r = σ(x Wx_r + h Wh_r + b_r),  z = σ(x Wx_z + h Wh_z + b_z),
    n = tanh(x Wx_n + b_n + r ⊙ (h Wh_n + bhn)),  h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}.

    Shapes: Wx: (n_in, 3H), Wh: (H, 3H), b: (3H,), bhn: (H,) (PyTorch's ``bias_hh_l0``
    is ``[0, 0, bhn]``).
    """

    n_gates = 3

    def __init__(self, n_in: int, n_hidden: int, seed: int = 0):
        super().__init__(n_in, n_hidden, seed)
        self.params["bhn"] = np.zeros(n_hidden)
        self._init_grads()

    def forward(self, xs: Any, h0: Any = None) -> np.ndarray:
        """Run the sequence; return every hidden state. h0: (batch, H) or None (zeros)."""
        xs = self._check_xs(xs)
        T, batch, _ = xs.shape
        H = self.n_hidden
        h = h0 = self._state("h0", h0, batch)
        Wh, bhn = self.params["Wh"], self.params["bhn"]
        acts = self._input_projection(xs)  # becomes r, z, n in place
        hns = np.empty((T, batch, H))  # h Wh_n + bhn, needed by dr
        hs = np.empty((T, batch, H))
        for t in range(T):
            a, ah = acts[t], h @ Wh
            a[:, : 2 * H] += ah[:, : 2 * H]
            _sigmoid_(a[:, : 2 * H])  # r, z
            r, z, n = a[:, :H], a[:, H : 2 * H], a[:, 2 * H :]
            np.add(ah[:, 2 * H :], bhn, out=hns[t])
            n += r * hns[t]
            np.tanh(n, out=n)
            np.subtract(h, n, out=hs[t])
            hs[t] *= z
            hs[t] += n  # h_t = n + z ⊙ (h_{t-1} − n)
            h = hs[t]
        self.gates = {name: acts[..., j * H : (j + 1) * H] for j, name in enumerate("rzn")}
        self._cache = (xs, h0, hs, hns, acts)
        return hs

    def backward(self, dhs: Any, truncate: int | None = None) -> np.ndarray:
        """Backpropagate ``dhs`` through time (chunks of ``truncate`` steps); return ``dxs``."""
        if self._cache is None:
            raise RuntimeError(f"{self}.backward: call forward(xs) first; there is nothing cached.")
        k = _check_truncate(f"{self}.backward", truncate)
        xs, h0, hs, hns, acts = self._cache
        dhs = self._check_dhs(dhs, hs)
        T, batch, H = hs.shape
        WhT = self.params["Wh"].T
        hprevs = np.concatenate([h0[None], hs[:-1]])
        dax = np.empty_like(acts)  # dL/d(x Wx + b) per gate
        dah = np.empty_like(acts)  # dL/d(h Wh) per gate
        dh_next = np.zeros((batch, H))
        for t in range(T - 1, -1, -1):
            if k is not None and (t + 1) % k == 0:
                dh_next[:] = 0.0
            r, z, n = (acts[t, :, j * H : (j + 1) * H] for j in range(3))
            dh, da = dhs[t] + dh_next, dax[t]
            # h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}
            dn = da[:, 2 * H :]  # dL/d(a_n), through n = tanh(·)
            np.multiply(dh * (1.0 - z), 1.0 - n * n, out=dn)
            np.multiply(dh * (hprevs[t] - n), z * (1.0 - z), out=da[:, H : 2 * H])  # z = σ(a_z)
            # n = tanh(a_n + r ⊙ hn):  dr = dn ⊙ hn,  dhn = dn ⊙ r
            np.multiply(dn * hns[t], r * (1.0 - r), out=da[:, :H])  # r = σ(a_r)
            dah[t, :, : 2 * H] = da[:, : 2 * H]
            np.multiply(dn, r, out=dah[t, :, 2 * H :])
            np.dot(dah[t], WhT, out=dh_next)
            dh *= z
            dh_next += dh  # the direct path: dh_{t-1} += dh_t ⊙ z_t
        self.dh0 = dh_next.copy()
        hprev = hprevs.reshape(T * batch, H)
        np.dot(hprev.T, dah.reshape(T * batch, -1), out=self.grads["Wh"])
        np.sum(dah[..., 2 * H :], axis=(0, 1), out=self.grads["bhn"])
        return self._finish_backward(xs, dax)


def forget_gate_product(lstm: LSTM, t: int, lag: int) -> np.ndarray:
    """Return f_t ⊙ f_{t-1} ⊙ ⋯ ⊙ f_{t-lag+1}: the diagonal of ∂c_t/∂c_{t-lag} along c alone.

    Uses the gates of the last ``forward``; lag = t + 1 reaches back to c0.
    Shapes: → (batch, H); lag = 0 gives ones.
    """
    f = lstm.gates["f"]
    if not 0 <= lag <= t + 1 <= len(f):
        raise ValueError(
            f"forget_gate_product: need 0 ≤ lag ≤ t + 1 and t < T = {len(f)}, got t={t}, lag={lag}."
        )
    return np.prod(f[t - lag + 1 : t + 1], axis=0)


def input_gradient_norms(layer: Any, xs: Any, seed: int = 0, **forward: Any) -> np.ndarray:
    """Return ‖∂L/∂x_{T−1−τ}‖ for τ = 0 … T−1, for a loss L = <h_{T−1}, R> at the last step.

    R is a fixed random unit vector per sequence (``seed``). Works for any layer with the
    RNN contract (RNN, LSTM, GRU): how strongly does the input τ steps back reach the loss?
    Shapes: xs: (T, batch, n_in) → (T,).
    """
    hs = layer.forward(xs, **forward)
    dhs = np.zeros_like(hs)
    R = np.random.default_rng(seed).standard_normal(hs.shape[1:])
    dhs[-1] = R / np.linalg.norm(R)
    dxs = layer.backward(dhs)
    return np.sqrt(np.einsum("tbi,tbi->t", dxs, dxs))[::-1].copy()
