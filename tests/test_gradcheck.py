"""bpkit.gradcheck: relative error, and checks of functions, layers and models."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bpkit.gradcheck import check_gradient, check_layer, check_model, check_value, rel_error

small = st.floats(-2, 2, allow_nan=False)


class Affine:
    """A tiny hand-made layer: y = x @ W + b, with x: (batch, 2), W: (2, 3), b: (3,)."""

    def __init__(self, seed=0, wrong=None):
        rng = np.random.default_rng(seed)
        self.params = {"W": rng.standard_normal((2, 3)), "b": rng.standard_normal(3)}
        self.grads = {name: np.zeros_like(p) for name, p in self.params.items()}
        self.wrong = wrong  # None, "x", "W" or "b": which gradient to get wrong on purpose

    def forward(self, x):
        self.x = x
        return x @ self.params["W"] + self.params["b"]  # (batch, 3)

    def backward(self, dout):
        self.grads["W"] = self.x.T @ dout  # dL/dW = xᵀ dout
        self.grads["b"] = dout.sum(axis=0)  # dL/db = Σ_batch dout
        dx = dout @ self.params["W"].T  # dL/dx = dout Wᵀ
        if self.wrong == "W":
            self.grads["W"][1, 2] += 1.0
        elif self.wrong == "b":
            self.grads["b"] = 2 * self.grads["b"]
        elif self.wrong == "x":
            dx = dx.copy()
            dx[0, 1] *= -1
        return dx


class TanhLayer:
    """A parameter-free layer: y = tanh(x)."""

    params: dict = {}  # noqa: RUF012 - read-only, shared on purpose
    grads: dict = {}  # noqa: RUF012

    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, dout):
        return dout * (1 - self.y**2)  # dL/dx = dout · (1 − tanh²)


class TinyModel:
    """Affine then tanh, with parameters() yielding (name, param, grad) triples."""

    def __init__(self, wrong=None):
        self.affine, self.act = Affine(seed=1, wrong=wrong), TanhLayer()

    def forward(self, x):
        return self.act.forward(self.affine.forward(x))

    def backward(self, dout):
        return self.affine.backward(self.act.backward(dout))

    def parameters(self):
        for name, param in self.affine.params.items():
            yield f"affine.{name}", param, self.affine.grads[name]


class HalfSquaredError:
    """L = ½·mean over the batch of Σ (pred − target)²."""

    def forward(self, pred, target):
        self.diff = pred - target
        return 0.5 * float(np.sum(self.diff**2)) / len(pred)

    def backward(self):
        return self.diff / len(self.diff)


def test_rel_error_is_zero_for_equal_and_symmetric():
    """rel_error(a, a) = 0 and rel_error(a, b) = rel_error(b, a)."""
    a, b = np.array([1.0, -2.0, 0.0]), np.array([1.1, -2.0, 1e-12])
    np.testing.assert_array_equal(rel_error(a, a), 0.0)
    np.testing.assert_array_equal(rel_error(a, b), rel_error(b, a))


def test_rel_error_of_two_tiny_numbers_is_not_blown_up():
    """Near zero, the eps floor keeps the relative error small instead of 1."""
    assert rel_error(1e-12, 2e-12) < 1e-3


def test_rel_error_of_infinities_is_quiet():
    """inf against inf gives NaN without a RuntimeWarning (warnings are errors here)."""
    assert np.isnan(rel_error(np.inf, np.inf))


@given(
    c=hnp.arrays(np.float64, 4, elements=st.floats(0, 2)),
    d=hnp.arrays(np.float64, 4, elements=st.floats(0.5, 3)),
    x=hnp.arrays(np.float64, 4, elements=small),
)
def test_correct_gradient_of_a_random_polynomial_passes(c, d, x):
    """For f = Σ (c·x³ + d·x), the gradient 3c·x² + d passes the check."""
    # d ≥ 0.5 keeps every gradient entry away from 0, where the c·h² ≈ 1e-12 truncation
    # of central differences would exceed the 1e-6 *relative* tolerance.
    report = check_gradient(lambda v: np.sum(c * v**3 + d * v), x, 3 * c * x**2 + d)
    assert report
    assert report.ok
    assert report.max_rel_error <= report.tol


@given(x=hnp.arrays(np.float64, 5, elements=small), k=st.integers(0, 4))
def test_a_wrong_entry_fails_and_is_named(x, k):
    """A gradient wrong in entry k fails, and the report names x[k] as the worst entry."""
    grad = 2 * x
    grad[k] += 0.5
    report = check_gradient(lambda v: np.sum(v**2), x, grad)
    assert not report
    assert report.worst == f"x[{k}]"
    assert "✗" in str(report)
    assert f"worst entry x[{k}]" in str(report)


def test_report_text_of_a_pass():
    """A passing report starts with ✓ and states the tolerance."""
    text = str(check_gradient(lambda v: float(v @ v), np.array([1.0, 2.0]), np.array([2.0, 4.0])))
    assert text.startswith("✓ gradient check: max relative error")
    assert "(tolerance 1e-06)" in text


def test_check_gradient_does_not_modify_x():
    """The point being checked is left exactly as it was."""
    x = np.array([[0.3, -1.2], [2.0, 0.5]])
    before = x.copy()
    check_gradient(lambda v: np.sum(np.sin(v)), x, np.cos(x))
    np.testing.assert_array_equal(x, before)


def test_gradient_of_the_wrong_shape_is_explained():
    """A gradient shaped unlike x is a ValueError that states both shapes."""
    with pytest.raises(ValueError, match=r"has shape \(3, 1\), but x itself has shape \(3,\)"):
        check_gradient(lambda v: np.sum(v**2), np.ones(3), np.ones((3, 1)))


def test_nan_numeric_gradient_fails():
    """If f returns NaN near x, the check fails instead of passing with no error."""
    f = lambda v: float(v[0]) if v[0] >= 1.0 else np.nan  # noqa: E731 - undefined left of 1
    report = check_gradient(f, np.array([1.0]), np.array([1.0]))
    assert not report
    assert report.max_rel_error == np.inf


def test_infinite_analytic_gradient_fails_without_warning():
    """An inf in the claimed gradient fails and names that entry (no RuntimeWarning)."""
    report = check_gradient(lambda v: np.sum(v**2), np.ones(3), np.array([2.0, np.inf, 2.0]))
    assert not report
    assert report.worst == "x[1]"


def test_correct_layer_passes_for_x_and_every_parameter():
    """check_layer covers dx, dW and db of a correct layer, and all pass."""
    report = check_layer(Affine(), np.random.default_rng(3).standard_normal((4, 2)))
    assert report
    assert set(report.errors) == {"x", "W", "b"}


@pytest.mark.parametrize(("wrong", "worst"), [("x", "x[0, 1]"), ("W", "W[1, 2]"), ("b", "b[")])
def test_layer_with_one_wrong_gradient_fails_and_names_it(wrong, worst):
    """A layer whose dx, dW or db is wrong fails, and the report names that entry."""
    report = check_layer(Affine(wrong=wrong), np.random.default_rng(3).standard_normal((4, 2)))
    assert not report
    assert report.worst.startswith(worst)
    for name, err in report.errors.items():
        assert (err > report.tol) == (name == wrong)


def test_check_layer_leaves_parameters_unchanged():
    """Nudging parameters by ±h for the numeric gradient restores every entry."""
    layer = Affine()
    before = {name: p.copy() for name, p in layer.params.items()}
    check_layer(layer, np.ones((2, 2)))
    for name, param in layer.params.items():
        np.testing.assert_array_equal(param, before[name])


def test_parameter_free_layer_is_checked_on_x_only():
    """A layer with no parameters (tanh) is checked on dx alone, and passes."""
    report = check_layer(TanhLayer(), np.linspace(-2, 2, 6).reshape(3, 2))
    assert report
    assert set(report.errors) == {"x"}


def test_check_model_passes_for_a_correct_model_and_fails_for_a_wrong_one():
    """check_model checks every parameter under a loss; a wrong dW is caught and named."""
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((5, 2)), rng.standard_normal((5, 3))
    assert check_model(TinyModel(), HalfSquaredError(), x, y)
    report = check_model(TinyModel(wrong="W"), HalfSquaredError(), x, y)
    assert not report
    assert report.worst == "affine.W[1, 2]"


def test_check_value_on_a_small_graph():
    """check_value passes for Value's backward on tanh(a·b) + a²."""
    pytest.importorskip("bpkit.scalar")
    assert check_value(lambda a, b: (a * b).tanh() + a**2, 0.5, -1.2)


def test_a_true_zero_gradient_passes_despite_finite_difference_noise():
    """x³ at 0: the central difference is h² = 1e-12, not 0; that is noise, not a bug."""
    assert check_value(lambda a: a**3, 0.0)
    x = np.array([0.0, 1.5])
    assert check_gradient(lambda v: (v**3).sum(), x, 3 * x**2)


def test_the_noise_allowance_still_catches_small_wrong_gradients():
    x = np.array([1e-9, 2.0])
    assert not check_gradient(lambda v: (v**2).sum(), x, np.array([4e-9, 4.0]))  # 2× too big
    assert not check_value(lambda a: a.relu(), 0.0)  # a kink: one-sided slopes 0 and 1
