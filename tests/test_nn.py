"""Tests for bpkit.nn: every layer and loss gradient-checked, messages, SGD and fit."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpkit import nn
from bpkit.gradcheck import check_gradient, check_layer, check_model

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True)


def _away_from_kinks(x: np.ndarray) -> np.ndarray:
    """Move entries off ReLU's kink at 0 so finite differences stay on one side."""
    return np.where(np.abs(x) < 1e-2, x + 0.05, x)


# One registry drives the gradient checks: name → factory(n_in, n_out, seed).
# A new layer is checked by adding one line here.
LAYERS = {
    "Linear": lambda n_in, n_out, seed: nn.Linear(n_in, n_out, seed=seed),
    "Linear-he": lambda n_in, n_out, seed: nn.Linear(n_in, n_out, init="he", seed=seed),
    "Sigmoid": lambda n_in, n_out, seed: nn.Sigmoid(),
    "Tanh": lambda n_in, n_out, seed: nn.Tanh(),
    "ReLU": lambda n_in, n_out, seed: nn.ReLU(),
    "Sequential": lambda n_in, n_out, seed: nn.Sequential(
        nn.Linear(n_in, 5, seed=seed), nn.Sigmoid(), nn.Linear(5, n_out, seed=seed + 1)
    ),
    "MLP-tanh": lambda n_in, n_out, seed: nn.MLP([n_in, 6, n_out], seed=seed),
    "MLP-relu": lambda n_in, n_out, seed: nn.MLP([n_in, 6, 4, n_out], "relu", seed=seed),
    "MLP-sigmoid": lambda n_in, n_out, seed: nn.MLP([n_in, 3, n_out], "sigmoid", seed=seed),
}
LOSSES = {"MSE": nn.MSE, "SoftmaxCrossEntropy": nn.SoftmaxCrossEntropy}


def _targets(loss_name: str, batch: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    if loss_name == "MSE":
        return rng.standard_normal((batch, n_out))
    return rng.integers(0, n_out, batch)


@pytest.mark.parametrize("name", LAYERS)
@SETTINGS
@given(
    batch=st.integers(1, 6),
    n_in=st.integers(1, 5),
    n_out=st.integers(1, 5),
    seed=st.integers(0, 2**16),
)
def test_layer_backward_matches_finite_differences(name, batch, n_in, n_out, seed):
    """Every layer's dx and parameter gradients equal central differences, for any shape."""
    layer = LAYERS[name](n_in, n_out, seed)
    x = _away_from_kinks(np.random.default_rng(seed).standard_normal((batch, n_in)))
    report = check_layer(layer, x, seed=seed, h=1e-5, tol=1e-5)
    assert report, str(report)


@pytest.mark.parametrize("loss_name", LOSSES)
@SETTINGS
@given(batch=st.integers(1, 6), n_out=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_loss_backward_matches_finite_differences(loss_name, batch, n_out, seed):
    """Each loss's backward equals the numeric gradient of its forward."""
    rng = np.random.default_rng(seed)
    loss = LOSSES[loss_name]()
    pred = 2 * rng.standard_normal((batch, n_out))
    y = _targets(loss_name, batch, n_out, rng)
    loss.forward(pred, y)
    report = check_gradient(lambda p: loss.forward(p, y), pred, loss.backward(), h=1e-5, tol=1e-5)
    assert report, str(report)


@pytest.mark.parametrize("loss_name", LOSSES)
@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
@SETTINGS
@given(
    sizes=st.lists(st.integers(1, 5), min_size=2, max_size=4),
    batch=st.integers(1, 5),
    seed=st.integers(0, 2**16),
)
def test_whole_mlp_gradients_match_finite_differences(loss_name, activation, sizes, batch, seed):
    """check_model passes for MLPs of any depth and width under both losses."""
    rng = np.random.default_rng(seed)
    model = nn.MLP(sizes, activation=activation, seed=seed)
    for name, param, _ in model.parameters():
        if name.endswith(".b"):  # non-zero biases keep a dead ReLU's output off the kink at 0
            param += 0.5 * rng.standard_normal(param.shape)
    x = rng.standard_normal((batch, sizes[0]))
    y = _targets(loss_name, batch, sizes[-1], rng)
    report = check_model(model, LOSSES[loss_name](), x, y, h=1e-5, tol=1e-5)
    assert report, str(report)


def test_softmax_cross_entropy_is_stable_for_huge_logits():
    """Logits of ±1000 give the exact finite loss and gradient, with no numpy warning."""
    loss = nn.SoftmaxCrossEntropy()
    z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0], [1000.0, 1000.0, -1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = loss.forward(z, np.array([0, 0, 1]))
        dz = loss.backward()
        p = nn.softmax(z)
    # losses per row: 0, 2000, log 2
    assert value == pytest.approx((0.0 + 2000.0 + np.log(2.0)) / 3)
    assert np.all(np.isfinite(dz))
    np.testing.assert_allclose(dz[1], np.array([-1.0, 1.0, 0.0]) / 3, atol=1e-12)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)


def test_sigmoid_is_stable_and_correct():
    """Sigmoid matches 1/(1+e^-z) for moderate z and saturates at ±1000 without warnings."""
    z = np.linspace(-20, 20, 41)
    np.testing.assert_allclose(nn.Sigmoid().forward(z), 1 / (1 + np.exp(-z)), rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = nn.Sigmoid().forward(np.array([-1000.0, 1000.0]))
    np.testing.assert_array_equal(a, [0.0, 1.0])


@SETTINGS
@given(seed=st.integers(0, 2**16), scale=st.floats(0.1, 100))
def test_softmax_rows_are_probabilities(seed, scale):
    """softmax returns non-negative rows that sum to one, for any scale of logits."""
    z = scale * np.random.default_rng(seed).standard_normal((4, 5))
    p = nn.softmax(z)
    assert np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)


def test_linear_shape_error_names_layer_and_shapes():
    """A wrong input shape names the layer, both shapes and a fix."""
    with pytest.raises(ValueError, match="features") as err:
        nn.Linear(3, 4).forward(np.zeros((5, 2)))
    assert str(err.value).startswith(
        "Linear(3→4).forward: expected x of shape (batch, 3), got (5, 2)."
    )


@pytest.mark.parametrize(
    ("shape", "hint"),
    [((3, 5), "Did you pass x transposed? Try x.T."), ((3,), "x.reshape(1, -1)")],
)
def test_linear_shape_error_hints(shape, hint):
    """Transposed input and a missing batch axis each get their own hint."""
    with pytest.raises(ValueError, match=r"expected x of shape \(batch, 3\)") as err:
        nn.Linear(3, 4).forward(np.zeros(shape))
    assert hint in str(err.value)


@pytest.mark.parametrize("layer", [nn.Linear(2, 3), nn.Tanh(), nn.Sigmoid(), nn.ReLU()])
def test_backward_before_forward_is_explained(layer):
    """Calling backward first raises a message naming the layer and the fix."""
    with pytest.raises(RuntimeError, match=r"backward: called before forward"):
        layer.backward(np.zeros((1, 3)))


@pytest.mark.parametrize("loss", [nn.MSE(), nn.SoftmaxCrossEntropy()])
def test_loss_backward_before_forward_is_explained(loss):
    """A loss's backward before its forward says to call forward first."""
    with pytest.raises(RuntimeError, match="called before forward"):
        loss.backward()


def test_wrong_dout_shape_is_explained():
    """backward with dout of the wrong shape names the expected and actual shapes."""
    layer = nn.Linear(3, 4)
    layer.forward(np.zeros((5, 3)))
    with pytest.raises(
        ValueError, match=r"Linear\(3→4\)\.backward: expected dout of shape \(5, 4\)"
    ):
        layer.backward(np.zeros((5, 3)))
    tanh = nn.Tanh()
    tanh.forward(np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"got \(2, 3\)"):
        tanh.backward(np.zeros((2, 3)))


def test_labels_out_of_range_are_explained():
    """A label ≥ n_classes names the label, its index and the class count."""
    with pytest.raises(
        ValueError, match=r"labels must be in 0\.\.2 for 3 classes, got 3 at index 1"
    ):
        nn.SoftmaxCrossEntropy().forward(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="got -1 at index 0"):
        nn.SoftmaxCrossEntropy().forward(np.zeros((2, 3)), np.array([-1, 0]))


def test_one_hot_labels_get_a_hint():
    """Passing one-hot rows instead of labels suggests argmax."""
    with pytest.raises(ValueError, match=r"y\.argmax\(axis=1\)"):
        nn.SoftmaxCrossEntropy().forward(np.zeros((2, 3)), np.eye(3)[[0, 1]])


def test_fractional_labels_are_rejected_but_integral_floats_work():
    """Float labels are accepted only when they hold whole numbers."""
    loss = nn.SoftmaxCrossEntropy()
    assert loss.forward(np.zeros((2, 2)), np.array([0.0, 1.0])) == pytest.approx(np.log(2))
    with pytest.raises(ValueError, match="labels must be integers"):
        loss.forward(np.zeros((2, 2)), np.array([0.5, 1.0]))


def test_mse_value_and_shape_error():
    """MSE is the batch mean of ½‖y_pred − y‖², accepts (batch,) targets for one output."""
    loss = nn.MSE()
    assert loss.forward(np.array([[1.0, 2.0], [0.0, 0.0]]), np.zeros((2, 2))) == pytest.approx(1.25)
    assert loss.forward(np.array([[3.0], [1.0]]), np.array([1.0, 1.0])) == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"got y_pred \(2, 2\) and y \(2, 3\)"):
        loss.forward(np.zeros((2, 2)), np.zeros((2, 3)))


def test_backward_overwrites_grads_instead_of_accumulating():
    """Two identical forward/backward passes leave the same gradients, not double."""
    layer = nn.Linear(3, 2, seed=4)
    x, dout = np.ones((4, 3)), np.ones((4, 2))
    layer.forward(x)
    layer.backward(dout)
    first = layer.grads["W"].copy()
    layer.forward(x)
    layer.backward(dout)
    np.testing.assert_array_equal(layer.grads["W"], first)


def test_linear_computes_x_at_W_plus_b():
    """Linear's forward is x @ W + b with W (n_in, n_out) and b (n_out,)."""
    layer = nn.Linear(3, 2, seed=1)
    layer.params["b"][:] = [1.0, -1.0]
    x = np.arange(6.0).reshape(2, 3)
    assert layer.params["W"].shape == (3, 2)
    np.testing.assert_allclose(layer.forward(x), x @ layer.params["W"] + [1.0, -1.0])


def test_mlp_structure_and_parameter_names():
    """MLP alternates Linear and activation, ends linear, and names params "i.W"/"i.b"."""
    model = nn.MLP([4, 8, 6, 3], activation="relu")
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    names = [name for name, _, _ in model.parameters()]
    assert names == ["0.W", "0.b", "2.W", "2.b", "4.W", "4.b"]
    assert model.params.keys() == model.grads.keys()
    assert model.params["2.W"] is model.layers[2].params["W"]
    assert (nn.Tanh().params, nn.Tanh().grads) == ({}, {})


def test_mlp_seed_controls_weights():
    """The same seed gives the same weights; another seed gives different ones."""
    a, b, c = nn.MLP([3, 4, 2], seed=7), nn.MLP([3, 4, 2], seed=7), nn.MLP([3, 4, 2], seed=8)
    np.testing.assert_array_equal(a.params["0.W"], b.params["0.W"])
    assert not np.array_equal(a.params["0.W"], c.params["0.W"])


def test_init_schemes_have_their_spread():
    """xavier, he and normal draw weights with their stated standard deviations."""
    std = {init: nn.Linear(400, 100, init=init).params["W"].std() for init in nn.INITS}
    assert std["xavier"] == pytest.approx(np.sqrt(2 / 500), rel=0.05)
    assert std["he"] == pytest.approx(np.sqrt(2 / 400), rel=0.05)
    assert std["normal"] == pytest.approx(0.01, rel=0.05)
    assert std["zeros"] == 0.0
    with pytest.raises(ValueError, match="unknown init 'glorot'"):
        nn.Linear(2, 2, init="glorot")


def test_mlp_rejects_bad_arguments():
    """Unknown activations and too-short size lists are explained."""
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        nn.MLP([2, 2], activation="gelu")
    with pytest.raises(ValueError, match="at least"):
        nn.MLP([2])


def test_sgd_step_moves_against_the_gradient():
    """Plain SGD sets param ← param − lr·grad in place; zero_grad zeroes every grad."""
    model = nn.MLP([2, 3, 1], seed=2)
    model.forward(np.ones((4, 2)))
    model.backward(np.ones((4, 1)))
    before = {name: p.copy() for name, p, _ in model.parameters()}
    W = model.params["0.W"]
    opt = nn.SGD(model, lr=0.1)
    opt.step()
    assert model.params["0.W"] is W
    for name, param, grad in model.parameters():
        np.testing.assert_allclose(param, before[name] - 0.1 * grad)
    opt.zero_grad()
    assert all(not grad.any() for _, _, grad in model.parameters())


def test_sgd_momentum_follows_velocity_rule():
    """With momentum μ, two steps with gradient g move by lr·g and then lr·(1+μ)·g."""
    layer = nn.Sequential(nn.Linear(1, 1, init="zeros"))
    layer.layers[0].grads["W"][:] = 2.0
    opt = nn.SGD(layer, lr=0.5, momentum=0.9)
    opt.step()
    opt.step()
    assert layer.params["0.W"][0, 0] == pytest.approx(-0.5 * 2.0 - 0.5 * 1.9 * 2.0)
    with pytest.raises(ValueError, match="lr must be a positive"):
        nn.SGD(layer, lr=0.0)
    with pytest.raises(ValueError, match="momentum"):
        nn.SGD(layer, lr=0.1, momentum=1.0)


def test_grad_norms_and_accuracy():
    """grad_norms gives each gradient's 2-norm; accuracy counts argmax hits."""
    model = nn.MLP([2, 2], seed=0)
    model.forward(np.ones((1, 2)))
    model.backward(np.array([[3.0, 4.0]]))
    norms = nn.grad_norms(model)
    assert norms["0.b"] == pytest.approx(5.0)
    assert norms["0.W"] == pytest.approx(np.sqrt(2) * 5.0)
    assert nn.accuracy(np.array([[0.1, 0.9], [0.8, 0.2]]), [1, 1]) == 0.5


def _train(seed: int) -> tuple[dict, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((60, 2))
    y = (x[:, 0] * x[:, 1] > 0).astype(int)
    model = nn.MLP([2, 8, 2], seed=1)
    history = nn.fit(
        model,
        nn.SoftmaxCrossEntropy(),
        x,
        y,
        epochs=30,
        batch_size=16,
        lr=0.5,
        seed=seed,
        x_val=x[:20],
        y_val=y[:20],
        progress=False,
    )
    return history, model.params["0.W"].copy()


def test_fit_is_deterministic_for_a_seed():
    """Two runs with the same seed give identical histories and weights; another seed differs."""
    (h1, W1), (h2, W2), (_, W3) = _train(0), _train(0), _train(1)
    assert h1 == h2
    np.testing.assert_array_equal(W1, W2)
    assert not np.array_equal(W1, W3)


def test_fit_history_records_each_epoch_and_learns():
    """The history has one entry per epoch for each metric, and the loss falls."""
    history, _ = _train(0)
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 30 for values in history.values())
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert history["accuracy"][-1] > 0.85


def test_fit_with_mse_and_momentum_optimizer():
    """fit accepts an optimizer and an MSE loss (no accuracy then) and fits a line."""
    x = np.linspace(-1, 1, 32)[:, None]
    model = nn.MLP([1, 1])
    opt = nn.SGD(model, lr=0.1, momentum=0.9)
    history = nn.fit(model, nn.MSE(), x, 3 * x - 1, epochs=40, batch_size=8, optimizer=opt,
                     progress=False)  # fmt: skip
    assert set(history) == {"loss"}
    assert model.params["0.W"][0, 0] == pytest.approx(3.0, abs=1e-3)
    assert model.params["0.b"][0] == pytest.approx(-1.0, abs=1e-3)


def test_fit_progress_is_silent_when_off_and_one_line_when_on(capsys):
    """progress=False prints nothing; progress=True prints a final line with the last loss."""
    x, y = np.zeros((8, 2)), np.zeros(8, dtype=int)
    nn.fit(nn.MLP([2, 2]), nn.SoftmaxCrossEntropy(), x, y, epochs=2, progress=False)
    assert capsys.readouterr() == ("", "")
    history = nn.fit(nn.MLP([2, 2]), nn.SoftmaxCrossEntropy(), x, y, epochs=2)
    err = capsys.readouterr().err
    assert err.startswith("epoch 2/2 ")
    assert f"loss {history['loss'][-1]:.4f}" in err
    assert err.count("\n") == 1


def test_fit_rejects_mismatched_lengths():
    """x and y with different sample counts are refused with both counts named."""
    with pytest.raises(ValueError, match="x has 3 samples but y has 2"):
        nn.fit(nn.MLP([2, 2]), nn.SoftmaxCrossEntropy(), np.zeros((3, 2)), [0, 1])


def test_model_backward_skips_the_input_gradient_unless_asked():
    """model.backward(dout) returns None; with input_grad=True it returns dx; grads are equal."""
    model = nn.MLP([3, 4, 2], seed=5)
    x, dout = np.random.default_rng(1).standard_normal((6, 3)), np.ones((6, 2))
    model.forward(x)
    dx = model.backward(dout, input_grad=True)
    assert dx.shape == (6, 3)
    full = {name: grad.copy() for name, _, grad in model.parameters()}
    model.forward(x)
    assert model.backward(dout) is None
    for name, _, grad in model.parameters():
        np.testing.assert_array_equal(grad, full[name])


def test_model_input_gradient_is_the_chain_of_layer_backwards():
    """input_grad=True returns what calling each layer's backward in reverse returns."""
    model = nn.MLP([3, 5, 4, 2], activation="relu", seed=2)
    x, dout = np.random.default_rng(3).standard_normal((7, 3)), np.ones((7, 2))
    model.forward(x)
    dx = model.backward(dout, input_grad=True)
    model.forward(x)
    for layer in reversed(model.layers):
        dout = layer.backward(dout)
    np.testing.assert_array_equal(dx, dout)


def _plain_loop(model: nn.Sequential, x: np.ndarray, y: np.ndarray, input_grad: bool) -> None:
    loss, optimizer = nn.SoftmaxCrossEntropy(), nn.SGD(model, lr=0.3, momentum=0.5)
    for _ in range(5):
        optimizer.zero_grad()
        loss.forward(model.forward(x), y)
        if input_grad:
            model.backward(loss.backward(), input_grad=True)
        else:
            model.backward(loss.backward())
        optimizer.step()


def test_default_loop_trains_exactly_like_the_loop_that_asks_for_dx():
    """Five steps of the plain loop leave the same weights as with input_grad=True."""
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((16, 4)), rng.integers(0, 3, 16)
    plain, explicit = nn.MLP([4, 6, 5, 3], seed=1), nn.MLP([4, 6, 5, 3], seed=1)
    _plain_loop(plain, x, y, input_grad=False)
    _plain_loop(explicit, x, y, input_grad=True)
    for (name, W, dW), (_, W2, dW2) in zip(plain.parameters(), explicit.parameters(), strict=True):
        np.testing.assert_array_equal(W, W2, err_msg=name)
        np.testing.assert_array_equal(dW, dW2, err_msg=name)
    assert not np.array_equal(plain.params["0.W"], nn.MLP([4, 6, 5, 3], seed=1).params["0.W"])


def test_leading_layers_without_parameters_are_skipped_by_default():
    """A model that starts with an activation fills the same grads with or without dx."""
    model = nn.Sequential(nn.Tanh(), nn.Linear(3, 2, seed=1), nn.Sigmoid(), nn.Linear(2, 2))
    x, dout = np.random.default_rng(5).standard_normal((4, 3)), np.ones((4, 2))
    model.forward(x)
    dx = model.backward(dout, input_grad=True)
    assert dx.shape == x.shape
    full = {name: grad.copy() for name, _, grad in model.parameters()}
    model.forward(x)
    assert model.backward(dout) is None
    for name, _, grad in model.parameters():
        np.testing.assert_array_equal(grad, full[name])
    activations_only = nn.Sequential(nn.Tanh())
    activations_only.forward(x)
    assert activations_only.backward(np.ones((4, 3))) is None
    np.testing.assert_allclose(
        activations_only.backward(np.ones((4, 3)), input_grad=True), 1 - np.tanh(x) ** 2
    )


@pytest.mark.parametrize("name", ["Linear", "Sigmoid", "Tanh", "ReLU"])
def test_layer_backward_returns_a_fresh_dx_and_leaves_dout_alone(name):
    """A single layer's backward returns dx in a new array; dout and its cache are unchanged."""
    layer = LAYERS[name](3, 3, 0)
    x = np.random.default_rng(6).standard_normal((4, 3))
    out = layer.forward(x).copy()
    dout = np.random.default_rng(7).standard_normal((4, 3))
    dout_before = dout.copy()
    first = layer.backward(dout)
    second = layer.backward(dout)
    np.testing.assert_array_equal(dout, dout_before)
    np.testing.assert_array_equal(first, second)
    assert first.shape == x.shape
    assert not np.shares_memory(first, second)
    assert not np.shares_memory(first, dout)
    np.testing.assert_array_equal(layer.forward(x), out)


def test_linear_backward_is_lesson_05s_three_formulas():
    """Linear.backward gives dW = xᵀδ, db = Σδ and dx = δWᵀ, as new arrays each call."""
    rng = np.random.default_rng(3)
    layer, x, delta = nn.Linear(3, 4, seed=1), rng.normal(size=(5, 3)), rng.normal(size=(5, 4))
    layer.forward(x)
    dx = layer.backward(delta)
    np.testing.assert_array_equal(layer.grads["W"], x.T @ delta)
    np.testing.assert_array_equal(layer.grads["b"], delta.sum(axis=0))
    np.testing.assert_array_equal(dx, delta @ layer.params["W"].T)
    kept = layer.grads["W"]
    layer.backward(2 * delta)
    np.testing.assert_array_equal(kept, x.T @ delta)  # a kept gradient is not overwritten


@pytest.mark.parametrize("activation", [nn.Sigmoid, nn.Tanh, nn.ReLU])
def test_activation_backward_is_dout_times_fprime(activation):
    """An activation's backward is δ = dout ⊙ f′(z), with f′ kept by forward."""
    rng = np.random.default_rng(4)
    z, dout = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    layer = activation()
    a = layer.forward(z)
    np.testing.assert_array_equal(layer.backward(dout), dout * layer.df_from_output(a))


def test_one_sigmoid_for_the_whole_library():
    """nn.sigmoid is exact in both tails, and Sigmoid and Value.sigmoid use it."""
    from bpkit.scalar import Value

    z = np.array([-745.0, -40.0, -1.0, 0.0, 1.0, 40.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = nn.sigmoid(z)
    np.testing.assert_allclose(s[1:6], 1 / (1 + np.exp(-z[1:6])), rtol=1e-15)
    assert s[0] > 0.0
    assert s[-1] == 1.0
    np.testing.assert_array_equal(nn.Sigmoid().forward(z), s)
    assert [Value(v).sigmoid().data for v in z] == list(s)


def test_half_mse_is_the_mse_name_and_says_its_convention():
    """MSE is HalfMSE: ½ · batch mean of the squared error, repr and errors say HalfMSE."""
    assert nn.MSE is nn.HalfMSE
    loss = nn.MSE()
    assert repr(loss) == "HalfMSE()"
    assert loss.forward(np.array([[2.0, 0.0]]), np.array([[0.0, 0.0]])) == pytest.approx(2.0)
    with pytest.raises(ValueError, match=r"HalfMSE\(\)\.forward"):
        loss.forward(np.zeros((2, 2)), np.zeros((2, 3)))


def test_parameters_is_written_once():
    """Layers and models get parameters() from the one Parameters mixin."""
    assert nn.Linear.parameters is nn.Parameters.parameters
    assert nn.Sequential.parameters is nn.Parameters.parameters
    layer = nn.Linear(2, 3)
    assert [name for name, _, _ in layer.parameters()] == ["W", "b"]
