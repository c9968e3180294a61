"""Gated recurrent layers: the LSTM and the GRU, with full and truncated BPTT.

Both keep the contract of :class:`bpkit.rnn.RNN`: time-major ``xs: (T, batch, n_in)``,
``forward(xs, h0=None) -> hs``, ``backward(dhs, truncate=None) -> dxs`` filling ``grads``,
and ``params``/``grads`` dicts with the same keys. The gates' weights are stored side by
side in one matrix, so each step needs one matmul, not four.

The LSTM step (gates in PyTorch's order i, f, g, o)::

    z_t = x_t Wx + h_{t-1} Wh + b           (batch, 4H), split into z_i, z_f, z_g, z_o
    i = σ(z_i)  f = σ(z_f)  g = tanh(z_g)  o = σ(z_o)
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

from bpkit.nn import sigmoid  # bpkit's one stable sigmoid, re-exported here
from bpkit.rnn import _check_truncate, check_sequence

__all__ = ["GRU", "LSTM", "forget_gate_product", "input_gradient_norms", "sigmoid"]


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

    def _finish_backward(self, xs: np.ndarray, dzs: np.ndarray) -> np.ndarray:
        """dWx, db and dxs from every step's dL/dz at once (one matmul each)."""
        T, batch, _ = xs.shape
        flat = dzs.reshape(T * batch, -1)
        np.dot(xs.reshape(T * batch, -1).T, flat, out=self.grads["Wx"])  # Σ_t x_tᵀ dz_t
        np.sum(flat, axis=0, out=self.grads["b"])
        return (flat @ self.params["Wx"].T).reshape(xs.shape)  # dx_t = dz_t Wxᵀ


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
        Wh = self.params["Wh"]
        zs = self._input_projection(xs)  # x_t Wx + b for every step; h_{t-1} Wh is added below
        gates = np.empty_like(zs)  # i, f, g, o side by side, kept for BPTT
        hs, cs, tanh_cs = np.empty((3, T, batch, H))
        for t in range(T):
            z = zs[t] + h @ Wh  # z_t = x_t Wx + h_{t-1} Wh + b, split into z_i, z_f, z_g, z_o
            i = sigmoid(z[:, :H])
            f = sigmoid(z[:, H : 2 * H])
            g = np.tanh(z[:, 2 * H : 3 * H])
            o = sigmoid(z[:, 3 * H :])
            c = f * c + i * g
            h = o * np.tanh(c)
            gates[t] = np.concatenate([i, f, g, o], axis=1)
            cs[t], tanh_cs[t], hs[t] = c, np.tanh(c), h
        self.cs = cs
        self.gates = {name: gates[..., n * H : (n + 1) * H] for n, name in enumerate("ifgo")}
        self._cache = (xs, h0, c0, hs, cs, tanh_cs, gates)
        return hs

    def backward(self, dhs: Any, truncate: int | None = None) -> np.ndarray:
        """Backpropagate ``dhs = dL/dhs`` through time; fill ``grads``, return ``dxs``.

        ``truncate=k`` cuts the steps into chunks of k: no gradient (neither dh nor dc)
        crosses a chunk boundary. Shapes: dhs: (T, batch, H) → dxs: (T, batch, n_in).
        """
        if self._cache is None:
            raise RuntimeError(f"{self}.backward: call forward(xs) first; there is nothing cached.")
        k = _check_truncate(f"{self}.backward", truncate)
        xs, h0, c0, hs, cs, tanh_cs, gates = self._cache
        dhs = self._check_dhs(dhs, hs)
        T, batch, H = hs.shape
        WhT = self.params["Wh"].T
        dzs = np.empty_like(gates)  # dL/dz_t for all four gates
        dcs = np.empty_like(cs)
        dh_next, dc_next = np.zeros((2, batch, H))  # arriving from step t + 1
        for t in range(T - 1, -1, -1):
            if k is not None and (t + 1) % k == 0:
                dh_next, dc_next = np.zeros((2, batch, H))  # a chunk boundary: nothing flows back
            i, f, g, o = (gates[t, :, n * H : (n + 1) * H] for n in range(4))
            c_prev, tanh_c = (cs[t - 1] if t else c0), tanh_cs[t]
            dh = dhs[t] + dh_next
            dc = dc_next + dh * o * (1.0 - tanh_c**2)  # both paths into c_t
            # through each gate's nonlinearity: σ' = σ(1 − σ), tanh' = 1 − tanh²
            dzs[t, :, :H] = dc * g * i * (1.0 - i)  # di = dc ⊙ g
            dzs[t, :, H : 2 * H] = dc * c_prev * f * (1.0 - f)  # df = dc ⊙ c_{t-1}
            dzs[t, :, 2 * H : 3 * H] = dc * i * (1.0 - g**2)  # dg = dc ⊙ i
            dzs[t, :, 3 * H :] = dh * tanh_c * o * (1.0 - o)  # do = dh ⊙ tanh(c_t)
            dcs[t] = dc
            dc_next = dc * f  # the additive path: dc_{t-1} = dc_t ⊙ f_t
            dh_next = dzs[t] @ WhT  # dh_{t-1} = dz_t Whᵀ
        self.dh0, self.dc0 = dh_next.copy(), dc_next.copy()
        hprev = np.concatenate([h0[None], hs[:-1]]).reshape(T * batch, H)
        np.dot(hprev.T, dzs.reshape(T * batch, -1), out=self.grads["Wh"])  # Σ h_{t-1}ᵀ dz_t
        self.dcs = dcs
        self.dc_norms = np.sqrt(np.einsum("tbh,tbh->t", dcs, dcs))
        return self._finish_backward(xs, dzs)


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
        zs = self._input_projection(xs)  # x_t Wx + b for every step
        gates = np.empty_like(zs)  # r, z, n side by side, kept for BPTT
        hns = np.empty((T, batch, H))  # h_{t-1} Wh_n + bhn, needed by dr
        hs = np.empty((T, batch, H))
        for t in range(T):
            zh = h @ Wh
            r = sigmoid(zs[t, :, :H] + zh[:, :H])  # reset gate
            z = sigmoid(zs[t, :, H : 2 * H] + zh[:, H : 2 * H])  # update gate
            hns[t] = zh[:, 2 * H :] + bhn
            n = np.tanh(zs[t, :, 2 * H :] + r * hns[t])  # candidate
            h = (1.0 - z) * n + z * h
            gates[t] = np.concatenate([r, z, n], axis=1)
            hs[t] = h
        self.gates = {name: gates[..., j * H : (j + 1) * H] for j, name in enumerate("rzn")}
        self._cache = (xs, h0, hs, hns, gates)
        return hs

    def backward(self, dhs: Any, truncate: int | None = None) -> np.ndarray:
        """Backpropagate ``dhs`` through time (chunks of ``truncate`` steps); return ``dxs``."""
        if self._cache is None:
            raise RuntimeError(f"{self}.backward: call forward(xs) first; there is nothing cached.")
        k = _check_truncate(f"{self}.backward", truncate)
        xs, h0, hs, hns, gates = self._cache
        dhs = self._check_dhs(dhs, hs)
        T, batch, H = hs.shape
        WhT = self.params["Wh"].T
        hprevs = np.concatenate([h0[None], hs[:-1]])
        dzx = np.empty_like(gates)  # dL/d(x_t Wx + b) per gate
        dzh = np.empty_like(gates)  # dL/d(h_{t-1} Wh) per gate (bhn sits with the n part)
        dh_next = np.zeros((batch, H))
        for t in range(T - 1, -1, -1):
            if k is not None and (t + 1) % k == 0:
                dh_next = np.zeros((batch, H))
            r, z, n = (gates[t, :, j * H : (j + 1) * H] for j in range(3))
            dh = dhs[t] + dh_next
            # h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}
            dz_n = dh * (1.0 - z) * (1.0 - n**2)  # through n = tanh(·)
            dzx[t, :, 2 * H :] = dz_n
            dzx[t, :, H : 2 * H] = dh * (hprevs[t] - n) * z * (1.0 - z)  # z = σ(·)
            # n = tanh(x Wx_n + b_n + r ⊙ hn):  dr = dz_n ⊙ hn,  dhn = dz_n ⊙ r
            dzx[t, :, :H] = dz_n * hns[t] * r * (1.0 - r)  # r = σ(·)
            dzh[t, :, : 2 * H] = dzx[t, :, : 2 * H]
            dzh[t, :, 2 * H :] = dz_n * r
            dh_next = dzh[t] @ WhT + dh * z  # through the gates, and the direct path z ⊙ h_{t-1}
        self.dh0 = dh_next.copy()
        hprev = hprevs.reshape(T * batch, H)
        np.dot(hprev.T, dzh.reshape(T * batch, -1), out=self.grads["Wh"])
        np.sum(dzh[..., 2 * H :], axis=(0, 1), out=self.grads["bhn"])
        return self._finish_backward(xs, dzx)


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
