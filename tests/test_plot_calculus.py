"""bpkit.plot.calculus: tangent, step errors, contour gradients and gradient descent drawings."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.figure import Figure

from bpkit.plot.calculus import (
    bowl,
    bowl_grad,
    classify_descent,
    descent_path,
    draw_contour_gradient,
    draw_descent,
    draw_step_errors,
    draw_tangent,
)


def _fig():
    return Figure(figsize=(6, 3.5))


def test_tangent_title_and_legend_give_both_slopes():
    """At x = 1.5, h = 0.5 on x³ − 3x + 1: secant slope 6.25, tangent slope 3.75."""
    ax = draw_tangent(_fig(), x=1.5, h=0.5)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("slope 3.7500" in text for text in labels)
    assert any("slope 6.2500" in text for text in labels)
    assert "6.250 → tangent slope 3.750" in ax.get_title()


def test_tangent_without_df_uses_the_numeric_derivative():
    """With df=None the tangent's slope is the central difference (cos 0 = 1)."""
    ax = draw_tangent(_fig(), x=0.0, h=0.1, f=np.sin, df=None, name="sin x")
    assert "tangent slope 1.000" in ax.get_title()


def test_tangent_refuses_a_zero_step():
    """h = 0 has no secant: a ValueError says so."""
    with pytest.raises(ValueError, match="h must be nonzero"):
        draw_tangent(_fig(), x=1.0, h=0.0)


def test_step_errors_legend_reports_slopes_one_and_two():
    """The legend's fitted slopes round to 1.0 (forward) and 2.0 (central)."""
    ax = draw_step_errors(_fig())
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "forward (fitted slope 1.00)" in labels
    assert "central (fitted slope 2.00)" in labels
    assert ax.get_xscale() == "log"
    assert ax.get_yscale() == "log"


def test_contour_gradient_draws_numeric_arrows_like_analytic_ones():
    """Without grad the arrows come from the numeric gradient and match the analytic ones."""
    fig = _fig()
    ax1, ax2 = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
    draw_contour_gradient(ax1, bowl, bowl_grad, arrows=4)
    draw_contour_gradient(ax2, bowl, None, arrows=4)
    q1, q2 = ax1.collections[-1], ax2.collections[-1]
    np.testing.assert_allclose(q1.U, q2.U, atol=1e-6)
    np.testing.assert_allclose(q1.V, q2.V, atol=1e-6)


@given(lr=st.floats(1e-3, 0.99), x0=st.floats(-3, 3))
def test_descent_on_a_parabola_follows_the_update_rule(lr, x0):
    """On f = x², each iterate is x·(1 − 2·lr), exactly the update x ← x − lr·2x."""
    path = descent_path(lambda x: 2 * x, x0, lr, steps=10)
    np.testing.assert_allclose(path, x0 * (1 - 2 * lr) ** np.arange(11), rtol=1e-9, atol=1e-12)


@given(lr=st.floats(1.01, 1e6))
def test_divergent_descent_stops_before_overflow(lr):
    """A divergent run stops once |x| > 1e6, with finite iterates and no warning."""
    path = descent_path(lambda x: 2 * x, 1.0, lr, steps=1000)
    assert np.all(np.isfinite(path))
    assert len(path) < 1001
    assert classify_descent(lambda x: 2 * x, path, steps=1000) == "diverges"


@pytest.mark.parametrize(
    ("lr", "verdict"),
    [
        (0.001, "converges slowly"),
        (0.2, "converges"),
        (0.8, "converges (oscillating)"),
        (1.0, "oscillates"),
        (1.1, "diverges"),
    ],
)
def test_classify_descent_names_each_regime_of_a_parabola(lr, verdict):
    """On f = x² (L = 2, threshold lr < 1) each learning rate gets its regime's name."""
    path = descent_path(lambda x: 2 * x, 1.5, lr, steps=30)
    assert classify_descent(lambda x: 2 * x, path, steps=30) == verdict


@pytest.mark.parametrize(("lr", "verdict"), [(0.3, "converges (oscillating)"), (0.55, "diverges")])
def test_two_d_threshold_is_two_over_the_largest_curvature(lr, verdict):
    """On the bowl (curvatures 1 and 4) descent diverges exactly past lr = 2/4."""
    path = descent_path(bowl_grad, (1.0, 1.0), lr, steps=60)
    assert classify_descent(bowl_grad, path, steps=60) == verdict


def test_draw_descent_titles_say_what_happened():
    """The drawing's title names the regime and says where a divergent run stopped."""
    ax_path, ax_loss = draw_descent(_fig(), lr=1.5, x0=1.8)
    assert "diverges" in ax_path.get_title()
    assert "diverged: stopped at step" in ax_loss.get_title()
    ax_path, _ = draw_descent(_fig(), lr=0.4, x0=(1.0, 1.0))
    assert ax_path.get_title() == "η = 0.4: converges (oscillating)"


def test_draw_descent_refuses_a_start_of_the_wrong_shape():
    """x0 must be a number (1-D) or a pair (2-D)."""
    with pytest.raises(ValueError, match=r"x0 must be a number or a pair, got shape \(3,\)"):
        draw_descent(_fig(), lr=0.1, x0=(1.0, 2.0, 3.0))


def test_a_fixed_loss_range_keeps_the_loss_axis_still_for_every_learning_rate():
    """An explorer passes one range, so a faster descent shows as a steeper line."""
    from bpkit.widgets import descent_explorer
    from bpkit.widgets.calculus import LOSS_RANGE

    spans = set()
    for lr in (0.01, 0.3, 0.9, 1.2):
        fig = Figure()
        _, ax_loss = draw_descent(fig, lr=lr, loss_range=LOSS_RANGE)
        spans.add(ax_loss.get_ylim())
        assert list(ax_loss.get_yticks()) == [1e-16, 1e-12, 1e-8, 1e-4, 1.0, 1e4, 1e8]
    assert spans == {LOSS_RANGE}
    assert descent_explorer().values()["loss_range"] == LOSS_RANGE
    free = {draw_descent(Figure(), lr=lr)[1].get_ylim() for lr in (0.01, 1.2)}
    assert len(free) == 2  # without it, the axis follows the losses


def test_a_run_that_lands_on_the_minimum_says_so():
    """At η = 1/λ the loss is 0 from step 1: the log panel says it in words, not a blank."""
    _, ax_loss = draw_descent(_fig(), lr=0.5, x0=1.8)
    assert any("the exact minimum" in t.get_text() for t in ax_loss.texts)


def test_a_path_that_leaves_the_picture_is_named():
    """A diverging 1-D path leaves the axes after one step; the panel says at which step."""
    ax_path, _ = draw_descent(_fig(), lr=1.5, x0=1.8)
    assert any("leaves this picture at step 1" in t.get_text() for t in ax_path.texts)
    ax_path, _ = draw_descent(_fig(), lr=0.4, x0=1.8)
    assert not ax_path.texts


def test_leaves_view_finds_the_first_step_outside_the_box():
    """1-D tests x only; 2-D tests both coordinates; a path that stays inside gives None."""
    from bpkit.plot.calculus import leaves_view

    assert leaves_view(np.array([1.8, -3.6, 7.2]), (-2, 2), (-2, 2)) == 1
    path = descent_path(bowl_grad, (1.0, 1.0), 0.6, steps=10)  # p₁ grows ×1.4 per step
    k = leaves_view(path, (-2, 2), (-2, 2))
    assert k == int(np.flatnonzero(np.abs(path[:, 1]) > 2)[0])
    assert leaves_view(descent_path(bowl_grad, (1.0, 1.0), 0.3, steps=10), (-2, 2), (-2, 2)) is None
