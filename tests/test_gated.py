"""bpkit.gated and bpkit.charmodel: LSTM/GRU BPTT against finite differences and torch."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpkit.calculus import gradient, jacobian
from bpkit.charmodel import CharModel, fit_chars, sample, vocabulary
from bpkit.gated import GRU, LSTM, forget_gate_product, input_gradient_norms, sigmoid
from bpkit.gradcheck import check_layer
from bpkit.rnn import RNN

sizes = st.fixed_dictionaries(
    {
        "T": st.integers(1, 5),
        "batch": st.integers(1, 3),
        "n_in": st.integers(1, 3),
        "n_hidden": st.integers(1, 4),
        "seed": st.integers(0, 2**16),
    }
)
CELLS = [LSTM, GRU]


def make_layer(cell, T, batch, n_in, n_hidden, seed):
    """A layer with every parameter nudged off its initial value, and inputs, from ``seed``."""
    layer = cell(n_in, n_hidden, seed=seed)
    rng = np.random.default_rng(seed + 1)
    for p in layer.params.values():
        p += 0.3 * rng.standard_normal(p.shape)
    return layer, rng.standard_normal((T, batch, n_in))


def reference_step(cell, params, x, h, c):
    """One step written gate by gate, independently of the library: returns (h, c)."""
    H = h.shape[1]
    W = {
        n: params["Wx"][:, j * H : (j + 1) * H]
        for j, n in enumerate("ifgo" if c is not None else "rzn")
    }
    U = {n: params["Wh"][:, j * H : (j + 1) * H] for j, n in enumerate(W)}
    b = {n: params["b"][j * H : (j + 1) * H] for j, n in enumerate(W)}
    gate = {n: x @ W[n] + h @ U[n] + b[n] for n in W}
    if cell is LSTM:
        c = sigmoid(gate["f"]) * c + sigmoid(gate["i"]) * np.tanh(gate["g"])
        return sigmoid(gate["o"]) * np.tanh(c), c
    r, z = sigmoid(gate["r"]), sigmoid(gate["z"])
    n = np.tanh(x @ W["n"] + b["n"] + r * (h @ U["n"] + params["bhn"]))
    return (1 - z) * n + z * h, None


def reference_forward(cell, params, xs, h0, c0):
    """Every hidden state, and the last (h, c), from ``reference_step``."""
    h, c, hs = h0, c0, []
    for x in xs:
        h, c = reference_step(cell, params, x, h, c)
        hs.append(h)
    return np.array(hs), (h, c)


def truncated_objective(cell, params, xs, R, k, starts):
    """Σ_t <h_t, R_t>, each chunk of k steps starting from a constant (detached) state."""
    total = 0.0
    for chunk, start in enumerate(range(0, len(xs), k)):
        h0, c0 = starts[chunk]
        hs, _ = reference_forward(cell, params, xs[start : start + k], h0, c0)
        total += float(np.sum(hs * R[start : start + k]))
    return total


def numeric_gradients(layer, xs, h0, c0, R, k=None):
    """Central differences of the (truncated) objective for xs, h0 (c0) and every parameter."""
    cell, k = type(layer), k or len(xs)
    starts, h, c = [(h0, c0)], h0, c0
    for start in range(0, len(xs) - k, k):
        _, (h, c) = reference_forward(cell, layer.params, xs[start : start + k], h, c)
        starts.append((h, c))

    def objective(params=layer.params, inputs=xs, first=(h0, c0)):
        return truncated_objective(cell, params, inputs, R, k, [first, *starts[1:]])

    numeric = {
        "xs": gradient(lambda x: objective(inputs=x), xs),
        "h0": gradient(lambda h: objective(first=(h, c0)), h0),
    }
    if c0 is not None:
        numeric["c0"] = gradient(lambda c: objective(first=(h0, c)), c0)
    for name in layer.params:
        numeric[name] = gradient(
            lambda p, n=name: objective({**layer.params, n: p}), layer.params[name]
        )
    return numeric


def bptt_case(cell, s, k=None):
    """Run forward and backward(truncate=k) and return (analytic, numeric) gradient dicts."""
    layer, xs = make_layer(cell, **s)
    rng = np.random.default_rng(s["seed"] + 2)
    h0 = rng.standard_normal((s["batch"], s["n_hidden"]))
    c0 = rng.standard_normal(h0.shape) if cell is LSTM else None
    R = rng.standard_normal((s["T"], s["batch"], s["n_hidden"]))
    layer.forward(xs, h0, c0) if cell is LSTM else layer.forward(xs, h0)
    analytic = {"xs": layer.backward(R, truncate=k), "h0": layer.dh0, **layer.grads}
    if cell is LSTM:
        analytic["c0"] = layer.dc0
    return analytic, numeric_gradients(layer, xs, h0, c0, R, k)


def assert_match(analytic, numeric):
    """Every gradient agrees with finite differences to 1e-5 relative (1e-8 absolute)."""
    assert set(analytic) == set(numeric)
    for name, value in numeric.items():
        np.testing.assert_allclose(analytic[name], value, rtol=1e-5, atol=1e-8, err_msg=name)


@pytest.mark.parametrize("cell", CELLS)
@settings(max_examples=25, deadline=None)
@given(s=sizes)
def test_full_bptt_matches_finite_differences(cell, s):
    """Full BPTT gives every parameter gradient, dxs, dh0 (and dc0) equal to central differences."""
    assert_match(*bptt_case(cell, s))


@pytest.mark.parametrize("cell", CELLS)
@settings(max_examples=25, deadline=None)
@given(s=sizes, k=st.integers(1, 4))
def test_truncated_bptt_matches_the_truncated_objective(cell, s, k):
    """BPTT(k) equals the finite-difference gradient with detached (h, c) at chunk starts."""
    assert_match(*bptt_case(cell, s, k))


@pytest.mark.parametrize("cell", CELLS)
def test_check_layer_passes(cell):
    """bpkit.gradcheck.check_layer accepts the layer at a tolerance of 1e-5."""
    layer, xs = make_layer(cell, T=6, batch=2, n_in=3, n_hidden=4, seed=3)
    report = check_layer(layer, xs, tol=1e-5)
    assert report, report
    assert set(report.errors) == {"x", *layer.params}


@pytest.mark.parametrize("cell", CELLS)
@given(s=sizes, extra=st.integers(0, 3))
def test_truncate_at_least_T_equals_full_bptt(cell, s, extra):
    """truncate ≥ T cuts nothing: exactly the gradients of truncate=None."""
    layer, xs = make_layer(cell, **s)
    R = np.random.default_rng(0).standard_normal((s["T"], s["batch"], s["n_hidden"]))
    layer.forward(xs)
    dxs = layer.backward(R)
    full = {name: g.copy() for name, g in layer.grads.items()}
    np.testing.assert_array_equal(dxs, layer.backward(R, truncate=s["T"] + extra))
    for name, g in layer.grads.items():
        np.testing.assert_array_equal(full[name], g)


@pytest.mark.parametrize("cell", CELLS)
def test_truncation_changes_the_gradient_when_it_cuts(cell):
    """With k < T the gradient of Wh differs from full BPTT's."""
    layer, xs = make_layer(cell, T=8, batch=2, n_in=2, n_hidden=3, seed=4)
    R = np.random.default_rng(0).standard_normal((8, 2, 3))
    layer.forward(xs)
    layer.backward(R)
    full = layer.grads["Wh"].copy()
    layer.backward(R, truncate=2)
    assert np.max(np.abs(full - layer.grads["Wh"])) > 1e-3


@given(st.integers(1, 7), st.integers(0, 2**16))
def test_forget_gate_product_is_the_cell_state_jacobian_when_other_paths_are_cut(lag, seed):
    """With Wh = 0 (gates see only x), ∂c_t/∂c_{t−lag} = diag(f_t ⋯ f_{t−lag+1}) exactly."""
    lstm, xs = make_layer(LSTM, T=8, batch=1, n_in=2, n_hidden=3, seed=seed)
    lstm.params["Wh"][:] = 0.0
    lstm.forward(xs)
    t, cs = 7, lstm.cs
    J = jacobian(
        lambda c: reference_forward(
            LSTM, lstm.params, xs[t - lag + 1 :], np.zeros((1, 3)), c[None]
        )[1][1][0],
        cs[t - lag, 0],
    )
    np.testing.assert_allclose(J, np.diag(forget_gate_product(lstm, t, lag)[0]), atol=1e-9)


def test_forget_gate_product_fades_with_a_small_bias_and_survives_with_a_large_one():
    """The product over 50 steps is tiny for forget bias −2 and above 0.01 for bias +5."""
    xs = np.random.default_rng(0).standard_normal((60, 4, 2))
    small, large = LSTM(2, 8, forget_bias=-2.0), LSTM(2, 8, forget_bias=5.0)
    small.forward(xs)
    large.forward(xs)
    assert forget_gate_product(small, 59, 50).max() < 1e-20
    assert forget_gate_product(large, 59, 50).min() > 0.01
    with pytest.raises(ValueError, match=r"need 0 ≤ lag ≤ t \+ 1"):
        forget_gate_product(small, 10, 20)


def test_dc_norms_are_the_norms_of_dcs():
    """After backward, dc_norms[t] = ‖dL/dc_t‖, and dcs carries the later steps' gradient."""
    lstm, xs = make_layer(LSTM, T=5, batch=2, n_in=2, n_hidden=3, seed=0)
    hs = lstm.forward(xs)
    dhs = np.zeros_like(hs)
    dhs[-1] = 1.0  # a loss at the last step only: dL/dc_t ≠ 0 for every t all the same
    lstm.backward(dhs)
    np.testing.assert_allclose(lstm.dc_norms, np.linalg.norm(lstm.dcs.reshape(5, -1), axis=1))
    assert np.all(lstm.dc_norms > 0)


@pytest.mark.parametrize("cell", [RNN, LSTM, GRU])
def test_input_gradient_norms_are_finite_differences(cell):
    """Entry τ is ‖∂L/∂x_{T−1−τ}‖ for L = <h_{T−1}, R>, for any layer with the RNN contract."""
    layer = cell(2, 3, seed=1)
    xs = np.random.default_rng(0).standard_normal((6, 2, 2))
    norms = input_gradient_norms(layer, xs, seed=5)
    R = np.random.default_rng(5).standard_normal((2, 3))
    R /= np.linalg.norm(R)
    numeric = gradient(lambda x: float(np.sum(layer.forward(x)[-1] * R)), xs)
    np.testing.assert_allclose(
        norms, np.linalg.norm(numeric.reshape(6, -1), axis=1)[::-1], rtol=1e-6
    )


@pytest.mark.parametrize("cell", CELLS)
def test_same_numbers_as_torch(cell):
    """hs, dxs and every parameter gradient equal PyTorch's nn.LSTM / nn.GRU (float64)."""
    torch = pytest.importorskip("torch")
    layer, xs = make_layer(cell, T=6, batch=3, n_in=2, n_hidden=4, seed=5)
    net = getattr(torch.nn, cell.__name__)(2, 4, dtype=torch.float64)
    with torch.no_grad():  # transposed weights; torch's second bias is 0 except GRU's b_hn
        net.weight_ih_l0.copy_(torch.from_numpy(layer.params["Wx"].T))
        net.weight_hh_l0.copy_(torch.from_numpy(layer.params["Wh"].T))
        net.bias_ih_l0.copy_(torch.from_numpy(layer.params["b"]))
        net.bias_hh_l0.zero_()
        if cell is GRU:
            net.bias_hh_l0[8:] = torch.from_numpy(layer.params["bhn"])
    x = torch.from_numpy(xs).requires_grad_(True)
    R = np.random.default_rng(0).standard_normal((6, 3, 4))
    out, _ = net(x)
    (out * torch.from_numpy(R)).sum().backward()
    np.testing.assert_allclose(layer.forward(xs), out.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(layer.backward(R), x.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(layer.grads["Wx"], net.weight_ih_l0.grad.numpy().T, atol=1e-12)
    np.testing.assert_allclose(layer.grads["Wh"], net.weight_hh_l0.grad.numpy().T, atol=1e-12)
    np.testing.assert_allclose(layer.grads["b"], net.bias_ih_l0.grad.numpy(), atol=1e-12)
    if cell is GRU:
        np.testing.assert_allclose(layer.grads["bhn"], net.bias_hh_l0.grad.numpy()[8:], atol=1e-12)


def test_sigmoid_is_stable_and_exact():
    """sigmoid(±1000) is 1 and 0 without an overflow warning, and 1/(1+e^−z) to 1e-15 elsewhere."""
    z = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(sigmoid(np.array([-1000.0, 1000.0])), [0.0, 1.0])
    lstm = LSTM(1, 2)
    assert np.all(np.isfinite(lstm.forward(np.full((3, 1, 1), 1e6))))


def test_forget_bias_sets_the_forget_gate_slice_only():
    """forget_bias fills b[H:2H]; the other gates' biases start at 0."""
    b = LSTM(3, 4, forget_bias=2.5).params["b"]
    np.testing.assert_array_equal(b[4:8], 2.5)
    assert np.count_nonzero(b) == 4


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize(
    ("xs_shape", "match"),
    [
        (
            (5, 3),
            r"\(3→4\)\.forward: expected xs of shape \(T, batch, 3\), got \(5, 3\)\. "
            r"For one sequence use xs\[:, None, :\]",
        ),
        ((5, 2, 2), r"expected xs of shape \(T, batch, 3\), got \(5, 2, 2\)"),
        ((0, 2, 3), "T = 0"),
    ],
)
def test_forward_rejects_wrong_input_shapes(cell, xs_shape, match):
    """A wrongly shaped xs raises a ValueError naming the layer, the expected and the got shape."""
    with pytest.raises(ValueError, match=match):
        cell(3, 4).forward(np.zeros(xs_shape))


@pytest.mark.parametrize("cell", CELLS)
def test_state_dhs_and_order_errors_say_how_to_fix(cell):
    """Wrong h0 or dhs shapes, backward before forward and a bad truncate are named clearly."""
    layer = cell(3, 4)
    with pytest.raises(RuntimeError, match=r"call forward\(xs\) first"):
        layer.backward(np.zeros((1, 1, 4)))
    with pytest.raises(
        ValueError, match=r"expected h0 of shape \(batch, 4\) = \(2, 4\), got \(4,\)"
    ):
        layer.forward(np.zeros((5, 2, 3)), h0=np.zeros(4))
    layer.forward(np.zeros((5, 2, 3)))
    with pytest.raises(ValueError, match=r"dhs shaped like hs \(5, 2, 4\), got \(5, 4\)"):
        layer.backward(np.zeros((5, 4)))
    with pytest.raises(ValueError, match="truncate must be None"):
        layer.backward(np.zeros((5, 2, 4)), truncate=0)


def test_lstm_c0_shape_is_checked():
    """A wrongly shaped c0 names c0 and the expected shape."""
    with pytest.raises(ValueError, match=r"expected c0 of shape \(batch, 4\) = \(1, 4\)"):
        LSTM(3, 4).forward(np.zeros((2, 1, 3)), c0=np.zeros((2, 4)))


TEXT = "the cat sat on the mat. the dog sat on the log. " * 4


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_char_model_gradients_match_finite_differences(cell):
    """CharModel's read-out and recurrent gradients pass a finite-difference check."""
    from bpkit.gradcheck import check_model
    from bpkit.nn import SoftmaxCrossEntropy

    model = CharModel(vocabulary(TEXT), n_hidden=3, cell=cell, seed=1)
    inputs = np.random.default_rng(0).integers(0, len(model.chars), size=(4, 2))
    targets = np.random.default_rng(1).integers(0, len(model.chars), size=8)

    class Flat:  # the loss over (T·batch, V) logits
        def __init__(self):
            self.loss = SoftmaxCrossEntropy()

        def forward(self, logits, y):
            self.shape = logits.shape
            return self.loss.forward(logits.reshape(-1, logits.shape[-1]), y)

        def backward(self):
            return self.loss.backward().reshape(self.shape)

    class Indices:  # check_model casts inputs to float; the model needs integers
        def __init__(self):
            self.params, self.grads = model.params, model.grads

        def forward(self, x):
            return model.forward(x.astype(np.int64))

        backward = model.backward
        parameters = model.parameters

    report = check_model(Indices(), Flat(), inputs, targets, h=1e-5)
    assert report, report


def test_char_model_learns_and_sampling_is_deterministic():
    """Training lowers the loss by half; the same seed gives the same text, another seed not."""
    model = CharModel(vocabulary(TEXT), n_hidden=16, cell="lstm", seed=0)
    reports = []
    history = fit_chars(
        model,
        TEXT,
        steps=60,
        T=12,
        batch=8,
        lr=0.02,
        every=30,
        report=lambda s, v: reports.append(s),
    )
    assert history["loss"][-1] < history["loss"][0] / 2
    assert reports == [30, 60]
    first = sample(model, "the ", 40, temperature=0.8, seed=3)
    assert first == sample(model, "the ", 40, temperature=0.8, seed=3)
    assert first != sample(model, "the ", 40, temperature=0.8, seed=4)
    assert first.startswith("the ")
    assert len(first) == 44
    assert set(first) <= set(TEXT)


def test_char_model_rejects_bad_arguments():
    """Unknown cells, float inputs, an empty prefix and a zero temperature are named."""
    with pytest.raises(ValueError, match="unknown cell 'lstn'"):
        CharModel(["a"], cell="lstn")
    model = CharModel(vocabulary(TEXT), n_hidden=4)
    with pytest.raises(ValueError, match=r"expected inputs of shape \(T, batch\)"):
        model.forward(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="temperature must be > 0"):
        sample(model, "the", 5, temperature=0)
    with pytest.raises(ValueError, match="prefix must hold"):
        sample(model, "", 5)


def test_stored_gates_are_the_lessons_equations():
    """The stored gates are σ(z_i), σ(z_f), tanh(z_g), σ(z_o) of z = x Wx + h_{t-1} Wh + b."""
    from bpkit.gated import LSTM, sigmoid

    rng = np.random.default_rng(4)
    lstm = LSTM(3, 5, seed=4)
    xs = rng.standard_normal((6, 2, 3))
    hs = lstm.forward(xs)
    p, H = lstm.params, 5
    h_prev = np.concatenate([np.zeros((1, 2, H)), hs[:-1]])
    z = xs @ p["Wx"] + h_prev @ p["Wh"] + p["b"]
    acts = {"i": sigmoid, "f": sigmoid, "g": np.tanh, "o": sigmoid}
    for n, (name, act) in enumerate(acts.items()):
        assert np.allclose(lstm.gates[name], act(z[..., n * H : (n + 1) * H]), atol=1e-14)
