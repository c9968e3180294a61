"""bpkit.rnn: BPTT (full and truncated) against finite differences, diagnostics, clipping."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bpkit.calculus import gradient, jacobian
from bpkit.gradcheck import check_layer, rel_error
from bpkit.rnn import (
    RNN,
    SequenceCrossEntropy,
    SequenceModel,
    SequenceMSE,
    chunk_lengths,
    clip_grad_norm,
    clip_grad_value,
    fit_sequence,
    fit_truncated,
    grad_norm,
    gradient_norms_through_time,
    jacobian_product_norms,
    set_spectral_radius,
    spectral_radius,
)

sizes = st.fixed_dictionaries(
    {
        "T": st.integers(1, 6),
        "batch": st.integers(1, 3),
        "n_in": st.integers(1, 4),
        "n_hidden": st.integers(1, 5),
        "seed": st.integers(0, 2**16),
    }
)


def make_rnn(T, batch, n_in, n_hidden, seed, activation="tanh"):
    """An RNN with a non-zero bias and a batch of inputs, both from ``seed``."""
    rnn = RNN(n_in, n_hidden, seed=seed, activation=activation)
    rng = np.random.default_rng(seed + 1)
    rnn.params["bh"][:] = 0.3 * rng.standard_normal(n_hidden)
    return rnn, rng.standard_normal((T, batch, n_in))


def reference_forward(params, xs, h0, activation="tanh"):
    """An independent, plainly written forward pass: h_t = f(x_t Wxh + h_{t-1} Whh + bh)."""
    f = np.tanh if activation == "tanh" else (lambda z: z)
    h, hs = h0, []
    for x in xs:
        h = f(x @ params["Wxh"] + h @ params["Whh"] + params["bh"])
        hs.append(h)
    return np.array(hs)


def truncated_objective(params, xs, R, k, boundary_states, activation="tanh"):
    """Σ_t <h_t, R_t> where each chunk of k steps starts from a *constant* (detached) state.

    ``boundary_states[c]`` is the state entering chunk c, computed once at the unperturbed
    parameters: perturbing a parameter or an input changes nothing across a boundary.
    """
    total = 0.0
    for c, start in enumerate(range(0, len(xs), k)):
        hs = reference_forward(params, xs[start : start + k], boundary_states[c], activation)
        total += float(np.sum(hs * R[start : start + k]))
    return total


def numeric_gradients(rnn, xs, h0, R, k=None):
    """Central differences of the (truncated, if k) objective for xs, h0 and every parameter."""
    k = k or len(xs)
    hs = reference_forward(rnn.params, xs, h0, rnn.activation)
    boundary_states = [h0] + [hs[start - 1] for start in range(k, len(xs), k)]

    def objective(params=rnn.params, inputs=xs, first_state=h0):
        states = [first_state, *boundary_states[1:]]
        return truncated_objective(params, inputs, R, k, states, rnn.activation)

    numeric = {"xs": gradient(lambda x: objective(inputs=x), xs, h=1e-6)}
    numeric["h0"] = gradient(lambda h: objective(first_state=h), h0, h=1e-6)
    for name in rnn.params:
        numeric[name] = gradient(
            lambda p, n=name: objective({**rnn.params, n: p}), rnn.params[name], h=1e-6
        )
    return numeric


def assert_gradients_match(rnn, dxs, numeric):
    """dxs, dh0 and every grad equal the numeric ones to 1e-5 relative (1e-8 absolute)."""
    analytic = {"xs": dxs, "h0": rnn.dh0, **rnn.grads}
    assert set(analytic) == set(numeric)
    for name, value in numeric.items():
        np.testing.assert_allclose(analytic[name], value, rtol=1e-5, atol=1e-8, err_msg=name)


def random_case(s):
    """An RNN, inputs xs, a non-zero h0 and a random dL/dhs = R for the sizes in ``s``."""
    rnn, xs = make_rnn(**s)
    rng = np.random.default_rng(s["seed"] + 2)
    h0 = rng.standard_normal((s["batch"], s["n_hidden"]))
    R = rng.standard_normal((s["T"], s["batch"], s["n_hidden"]))
    return rnn, xs, h0, R


@given(sizes, st.sampled_from(["tanh", "linear"]))
def test_full_bptt_matches_finite_differences(s, activation):
    """Full BPTT gives dWxh, dWhh, dbh, dxs and dh0 equal to central differences."""
    rnn, xs, h0, R = random_case(s)
    rnn.activation = activation
    rnn.forward(xs, h0)
    dxs = rnn.backward(R)
    assert_gradients_match(rnn, dxs, numeric_gradients(rnn, xs, h0, R))


@given(sizes, st.integers(1, 7))
def test_truncated_bptt_matches_the_truncated_objective(s, k):
    """BPTT(k) equals the finite-difference gradient of the objective with detached chunk states."""
    rnn, xs, h0, R = random_case(s)
    rnn.forward(xs, h0)
    dxs = rnn.backward(R, truncate=k)
    assert_gradients_match(rnn, dxs, numeric_gradients(rnn, xs, h0, R, k))


def test_check_layer_passes_for_the_rnn():
    """bpkit.gradcheck.check_layer accepts the RNN and reports errors far below 1e-6."""
    rnn, xs = make_rnn(T=6, batch=3, n_in=3, n_hidden=5, seed=7)
    report = check_layer(rnn, xs)
    assert report, report
    assert set(report.errors) == {"x", "Wxh", "Whh", "bh"}


@given(sizes, st.integers(0, 5))
def test_truncate_at_least_T_equals_full_bptt(s, extra):
    """truncate=k with k ≥ T cuts nothing: it gives exactly the gradients of truncate=None."""
    rnn, xs = make_rnn(**s)
    R = np.random.default_rng(s["seed"]).standard_normal((s["T"], s["batch"], s["n_hidden"]))
    rnn.forward(xs)
    dxs_full = rnn.backward(R)
    full = {name: g.copy() for name, g in rnn.grads.items()}
    dxs_cut = rnn.backward(R, truncate=s["T"] + extra)
    np.testing.assert_array_equal(dxs_full, dxs_cut)
    for name, g in rnn.grads.items():
        np.testing.assert_array_equal(full[name], g)


def test_truncation_changes_the_gradient_when_it_cuts():
    """With k < T the truncated gradient of Whh differs from the full one (something is cut)."""
    rnn, xs = make_rnn(T=8, batch=2, n_in=3, n_hidden=4, seed=3)
    R = np.random.default_rng(0).standard_normal((8, 2, 4))
    rnn.forward(xs)
    rnn.backward(R)
    full = rnn.grads["Whh"].copy()
    rnn.backward(R, truncate=2)
    assert np.max(np.abs(full - rnn.grads["Whh"])) > 1e-3


def test_forward_matches_the_reference_and_keeps_every_state():
    """forward returns all T states, equal to the step formula applied T times."""
    rnn, xs = make_rnn(T=5, batch=3, n_in=2, n_hidden=4, seed=1)
    h0 = np.full((3, 4), 0.1)
    hs = rnn.forward(xs, h0)
    assert hs.shape == (5, 3, 4)
    np.testing.assert_allclose(hs, reference_forward(rnn.params, xs, h0), rtol=1e-12, atol=1e-14)


def test_same_numbers_as_torch_rnn():
    """hs, dxs and all parameter gradients equal PyTorch's nn.RNN (tanh, float64)."""
    torch = pytest.importorskip("torch")
    rnn, xs = make_rnn(T=6, batch=3, n_in=2, n_hidden=4, seed=5)
    net = torch.nn.RNN(2, 4, dtype=torch.float64)
    with torch.no_grad():  # PyTorch stores the weights transposed and has two biases
        net.weight_ih_l0.copy_(torch.from_numpy(rnn.params["Wxh"].T))
        net.weight_hh_l0.copy_(torch.from_numpy(rnn.params["Whh"].T))
        net.bias_ih_l0.copy_(torch.from_numpy(rnn.params["bh"]))
        net.bias_hh_l0.zero_()
    x = torch.from_numpy(xs).requires_grad_(True)
    R = np.random.default_rng(0).standard_normal((6, 3, 4))
    out, _ = net(x)
    (out * torch.from_numpy(R)).sum().backward()
    np.testing.assert_allclose(rnn.forward(xs), out.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(rnn.backward(R), x.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(rnn.grads["Whh"], net.weight_hh_l0.grad.numpy().T, atol=1e-12)
    np.testing.assert_allclose(rnn.grads["Wxh"], net.weight_ih_l0.grad.numpy().T, atol=1e-12)
    np.testing.assert_allclose(rnn.grads["bh"], net.bias_ih_l0.grad.numpy(), atol=1e-12)


@given(sizes, st.integers(0, 5))
def test_gradient_norms_through_time_are_finite_difference_gradients(s, back):
    """Entry τ is ‖∂L_t/∂h_{t−τ}‖, with L_t = <h_t, R>, checked by rerunning from h_{t−τ}."""
    rnn, xs = make_rnn(**s)
    t = s["T"] - 1
    tau = min(back, t)
    norms = gradient_norms_through_time(rnn, xs, seed=s["seed"])
    hs = rnn.forward(xs)
    R = np.random.default_rng(s["seed"]).standard_normal(hs.shape[1:])
    R /= np.linalg.norm(R)

    def loss_from(h):  # run steps t−τ+1 … t starting from the state h = h_{t−τ}
        return (
            np.sum(reference_forward(rnn.params, xs[t - tau + 1 :], h)[-1] * R)
            if tau
            else np.sum(h * R)
        )

    numeric = gradient(loss_from, hs[t - tau])
    assert norms.shape == (s["T"],)
    assert norms[tau] == pytest.approx(np.linalg.norm(numeric), rel=1e-6, abs=1e-9)


def test_gradient_norms_are_zero_beyond_the_chunk():
    """With truncate=k the loss at step t reaches only back to the start of its chunk."""
    rnn, xs = make_rnn(T=12, batch=2, n_in=2, n_hidden=3, seed=0)
    norms = gradient_norms_through_time(rnn, xs, t=10, truncate=4)  # chunk of t = 8 … 11
    assert np.all(norms[:3] > 0)
    assert np.all(norms[3:] == 0)


@given(st.floats(0.3, 1.8), st.integers(2, 6))
def test_linear_rnn_gradient_scales_as_rho_to_the_lag(rho, n_hidden):
    """For a linear RNN with Whh = ρ·(orthogonal), the gradient norm is exactly ρ^τ."""
    rnn = RNN(1, n_hidden, seed=0, activation="linear")
    Q, _ = np.linalg.qr(np.random.default_rng(n_hidden).standard_normal((n_hidden, n_hidden)))
    rnn.params["Whh"][:] = rho * Q
    xs = np.random.default_rng(1).standard_normal((10, 2, 1))
    norms = gradient_norms_through_time(rnn, xs)
    np.testing.assert_allclose(norms, rho ** np.arange(10), rtol=1e-10)


@given(sizes)
def test_jacobian_product_norms_match_the_numeric_jacobian(s):
    """‖J_t ⋯ J_{t−τ+1}‖₂ equals the 2-norm of the finite-difference Jacobian ∂h_t/∂h_{t−τ}."""
    rnn, xs = make_rnn(**s)
    xs = xs[:, :1]  # one sequence
    hs = rnn.forward(xs)
    t = s["T"] - 1
    norms = jacobian_product_norms(rnn, hs)
    for tau in range(1, t + 1):
        J = jacobian(
            lambda h, tau=tau: reference_forward(rnn.params, xs[t - tau + 1 :], h[None])[-1, 0],
            hs[t - tau, 0],
        )
        assert norms[tau] == pytest.approx(np.linalg.norm(J, 2), rel=1e-6, abs=1e-9)
    assert norms[0] == pytest.approx(1.0)


@given(st.floats(0.1, 3.0), st.integers(0, 100))
def test_set_spectral_radius_sets_it(radius, seed):
    """set_spectral_radius rescales Whh in place to the requested largest |eigenvalue|."""
    rnn = RNN(2, 6, seed=seed)
    Whh = rnn.params["Whh"]
    set_spectral_radius(rnn, radius)
    assert rnn.params["Whh"] is Whh
    assert spectral_radius(Whh) == pytest.approx(radius, rel=1e-9)


grad_dicts = st.integers(0, 2**16).map(
    lambda seed: {
        "W": np.random.default_rng(seed).standard_normal((3, 4)) * 10 ** (seed % 5 - 2),
        "b": np.random.default_rng(seed + 1).standard_normal(4),
    }
)


@given(grad_dicts, st.floats(1e-3, 1e3))
def test_clip_grad_norm_keeps_direction_and_bounds_the_norm(grads, max_norm):
    """Norm clipping returns the old norm, keeps the direction and leaves a norm ≤ max_norm."""
    before = np.concatenate([g.ravel() for g in grads.values()])
    returned = clip_grad_norm(grads, max_norm)
    after = np.concatenate([g.ravel() for g in grads.values()])
    assert returned == pytest.approx(np.linalg.norm(before))
    assert np.linalg.norm(after) <= max_norm * (1 + 1e-12)
    cosine = after @ before / (np.linalg.norm(after) * np.linalg.norm(before))
    assert cosine == pytest.approx(1.0)
    if np.linalg.norm(before) <= max_norm:
        np.testing.assert_array_equal(after, before)


def test_clip_grad_value_can_turn_the_direction():
    """Value clipping bounds every entry but, unlike norm clipping, changes the direction."""
    grads = {"W": np.array([10.0, 0.1])}
    largest = clip_grad_value(grads, 1.0)
    assert largest == 10.0
    np.testing.assert_array_equal(grads["W"], [1.0, 0.1])
    cosine = grads["W"] @ [10.0, 0.1] / (np.linalg.norm(grads["W"]) * np.hypot(10.0, 0.1))
    assert cosine < 0.999
    same = {"W": np.array([10.0, 0.1])}
    clip_grad_norm(same, 1.0)
    assert same["W"][1] / same["W"][0] == pytest.approx(0.01)


def test_sequence_model_gradients_match_finite_differences():
    """SequenceModel (RNN + readout) passes check_layer for xs and all five parameters."""
    model = SequenceModel(2, 4, 3, seed=2)
    xs = np.random.default_rng(0).standard_normal((5, 2, 2))
    report = check_layer(model, xs)
    assert report, report
    assert set(report.errors) == {"x", "Wxh", "Whh", "bh", "Why", "by"}


@pytest.mark.parametrize(
    ("loss", "target"),
    [
        (SequenceMSE(), np.random.default_rng(1).standard_normal((4, 3, 2))),
        (SequenceCrossEntropy(), np.random.default_rng(1).integers(0, 2, size=(4, 3))),
    ],
)
def test_sequence_losses_backward_is_their_gradient(loss, target):
    """SequenceMSE and SequenceCrossEntropy return dL/dpred equal to central differences."""
    pred = np.random.default_rng(0).standard_normal((4, 3, 2))
    loss.forward(pred, target)
    analytic = loss.backward()
    numeric = gradient(lambda p: loss.forward(p, target), pred)
    assert np.max(rel_error(analytic, numeric)) < 1e-6


def test_cross_entropy_is_stable_for_huge_logits():
    """SequenceCrossEntropy stays finite for logits of 1e4 (no overflow warning)."""
    logits = np.array([[[1e4, -1e4]]])
    assert SequenceCrossEntropy().forward(logits, np.array([[1]])) == pytest.approx(2e4)


def test_fit_sequence_learns_and_clipping_bounds_each_step():
    """Training lowers the loss; with clip=c and no momentum each update has norm ≤ lr·c."""
    from bpkit.data import sine_sequences

    xs, ys = sine_sequences(8, 20, seed=0)
    model = SequenceModel(1, 8, 1, seed=0)
    history = fit_sequence(model, SequenceMSE(), xs, ys, steps=150, lr=0.1, clip=1.0)
    assert history["loss"][-1] < history["loss"][0] / 5
    model = SequenceModel(1, 8, 1, seed=0)
    before = np.concatenate([p.ravel() for p in model.params.values()])
    history = fit_sequence(model, SequenceMSE(), xs, ys, steps=1, lr=0.5, momentum=0.0, clip=1e-3)
    after = np.concatenate([p.ravel() for p in model.params.values()])
    assert history["grad_norm"][0] > 1e-3
    assert np.linalg.norm(after - before) <= 0.5 * 1e-3 * (1 + 1e-9)


def test_fit_sequence_stops_a_diverged_run():
    """A run whose loss overflows ends early with an inf in the history, and no warning."""
    from bpkit.data import sine_sequences

    xs, ys = sine_sequences(8, 40, seed=0)
    model = SequenceModel(1, 8, 1, seed=0)
    history = fit_sequence(model, SequenceMSE(), xs, ys, steps=2000, lr=50.0, momentum=0.9)
    assert history["loss"][-1] == np.inf
    assert len(history["loss"]) < 2000


def test_grad_norm_is_the_norm_of_everything():
    """grad_norm treats every array of the dict as part of one long vector."""
    assert grad_norm({"a": np.array([3.0]), "b": np.array([[4.0]])}) == pytest.approx(5.0)


@pytest.mark.parametrize(
    ("xs_shape", "match"),
    [
        ((5, 3), r"RNN\(3→4\)\.forward: expected xs of shape \(T, batch, 3\), got \(5, 3\)"),
        ((5, 2, 2), r"expected xs of shape \(T, batch, 3\), got \(5, 2, 2\)"),
        ((0, 2, 3), "T = 0"),
    ],
)
def test_forward_rejects_wrong_input_shapes(xs_shape, match):
    """A wrongly shaped xs raises a ValueError naming the layer, the expected and the got shape."""
    with pytest.raises(ValueError, match=match):
        RNN(3, 4).forward(np.zeros(xs_shape))


def test_shape_errors_say_how_to_fix():
    """The errors for h0, dhs and a 2-D xs name the fix."""
    rnn = RNN(3, 4)
    with pytest.raises(ValueError, match=r"xs\[:, None, :\]"):
        rnn.forward(np.zeros((5, 3)))
    with pytest.raises(
        ValueError, match=r"expected h0 of shape \(batch, 4\) = \(2, 4\), got \(4,\)"
    ):
        rnn.forward(np.zeros((5, 2, 3)), h0=np.zeros(4))
    rnn.forward(np.zeros((5, 2, 3)))
    with pytest.raises(ValueError, match=r"dhs shaped like hs \(5, 2, 4\), got \(5, 4\)"):
        rnn.backward(np.zeros((5, 4)))


def test_backward_before_forward_says_so():
    """Calling backward first raises a RuntimeError that says to call forward."""
    with pytest.raises(RuntimeError, match=r"call forward\(xs\) first"):
        RNN(2, 3).backward(np.zeros((1, 1, 3)))


@pytest.mark.parametrize("truncate", [0, -2, 2.5, True, "3"])
def test_bad_truncate_is_rejected(truncate):
    """truncate must be None or a whole number ≥ 1; anything else names the problem."""
    rnn = RNN(2, 3)
    rnn.forward(np.zeros((4, 1, 2)))
    with pytest.raises(ValueError, match="truncate must be None"):
        rnn.backward(np.zeros((4, 1, 3)), truncate=truncate)


def test_bad_activation_and_clip_arguments_are_rejected():
    """An unknown activation or a non-positive clip threshold raises a ValueError."""
    with pytest.raises(ValueError, match="unknown activation 'relu'"):
        RNN(2, 3, activation="relu")
    with pytest.raises(ValueError, match="max_norm must be > 0"):
        clip_grad_norm({"W": np.ones(2)}, 0.0)
    with pytest.raises(ValueError, match="clip must be > 0"):
        clip_grad_value({"W": np.ones(2)}, -1.0)


@given(
    T=st.integers(1, 60), k=st.integers(1, 12), randomized=st.booleans(), seed=st.integers(0, 99)
)
def test_chunk_lengths_cover_the_sequence(T, k, randomized, seed):
    """Chunks are ≥ 1 step long and add up to T; fixed chunks are k long except the last."""
    lengths = chunk_lengths(T, k, randomized=randomized, seed=seed)
    assert sum(lengths) == T
    assert min(lengths) >= 1
    if not randomized:
        assert all(n == k for n in lengths[:-1])
        assert lengths[-1] <= k


def test_randomized_chunks_have_mean_about_k():
    """Randomized chunks vary in length and average close to k."""
    lengths = chunk_lengths(100_000, 8, randomized=True, seed=0)[:-1]
    assert len(set(lengths)) > 5
    assert abs(np.mean(lengths) - 8) < 0.2


def test_fit_truncated_takes_the_chunks_gradients_from_the_carried_state():
    """One chunk's update equals BPTT on that chunk alone, started from the carried state."""
    rng = np.random.default_rng(0)
    xs, ys = rng.standard_normal((9, 2, 1)), rng.standard_normal((9, 2, 1))
    model, twin = SequenceModel(1, 4, 1, seed=3), SequenceModel(1, 4, 1, seed=3)
    history = fit_truncated(model, SequenceMSE(), xs, ys, k=3, lr=0.1, momentum=0.0)
    assert len(history["loss"]) == 3  # one update per chunk
    loss, h = SequenceMSE(), None
    for start in (0, 3, 6):
        loss.forward(twin.forward(xs[start : start + 3], h), ys[start : start + 3])
        twin.backward(loss.backward())
        for name, param in twin.params.items():
            param -= 0.1 * twin.grads[name]
        h = twin.hs[-1].copy()
    for name in model.params:
        assert np.allclose(model.params[name], twin.params[name], rtol=1e-12, atol=1e-14)


def test_fit_truncated_learns_and_stores_only_one_chunk():
    """Training by chunks lowers the loss, and the model never holds more than k states."""
    from bpkit.data import sine_sequences

    xs, ys = sine_sequences(8, 60, seed=0)
    model = SequenceModel(1, 8, 1, seed=0)
    history = fit_truncated(model, SequenceMSE(), xs, ys, k=10, passes=20, lr=0.05, clip=1.0)
    assert len(history["loss"]) == 20 * 6
    assert np.mean(history["loss"][-6:]) < np.mean(history["loss"][:6]) / 5
    assert model.hs.shape[0] == 10


def test_fit_truncated_stops_a_diverged_run():
    """A chunked run whose loss overflows ends early with an inf in the history."""
    from bpkit.data import sine_sequences

    xs, ys = sine_sequences(8, 40, seed=0)
    model = SequenceModel(1, 8, 1, seed=0)
    history = fit_truncated(model, SequenceMSE(), xs, ys, k=5, passes=500, lr=50.0)
    assert history["loss"][-1] == np.inf


def test_backward_does_not_change_the_cached_states():
    """RNN.backward leaves the forward pass's states as they were (no in-place reuse)."""
    rng = np.random.default_rng(1)
    rnn = RNN(2, 3, seed=0)
    hs = rnn.forward(rng.standard_normal((5, 2, 2))).copy()
    rnn.backward(rng.standard_normal((5, 2, 3)))
    assert np.array_equal(rnn._cache[2], hs)


def test_fit_sequence_with_a_velocity_dict_can_pause_and_continue():
    """Two runs of 3 and 4 steps sharing a velocity dict equal one run of 7 steps."""
    from bpkit.data import sine_sequences

    xs, ys = sine_sequences(4, 12, seed=0)
    whole, halves = SequenceModel(1, 5, 1, seed=2), SequenceModel(1, 5, 1, seed=2)
    fit_sequence(whole, SequenceMSE(), xs, ys, steps=7, lr=0.05)
    velocity = {}
    fit_sequence(halves, SequenceMSE(), xs, ys, steps=3, lr=0.05, velocity=velocity)
    fit_sequence(halves, SequenceMSE(), xs, ys, steps=4, lr=0.05, velocity=velocity)
    for name in whole.params:
        assert np.allclose(whole.params[name], halves.params[name], rtol=1e-12, atol=1e-14)
