"""Tests for bpkit.plot.graph and bpkit.widgets.graph: graph drawings and the backward stepper."""

from __future__ import annotations

import warnings

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from bpkit.plot import draw_backward_step, draw_graph, graph_figsize, graph_layout
from bpkit.plot.graph import _fmt, backward_steps, node_name
from bpkit.scalar import Value
from bpkit.widgets import backward_stepper


def neuron() -> Value:
    """tanh(x1·w1 + x2·w2 + b): 10 nodes, every leaf used once."""
    x1, w1, x2, w2 = Value(2.0, "x1"), Value(-3.0, "w1"), Value(0.0, "x2"), Value(1.0, "w2")
    b = Value(6.88, "b")
    return (x1 * w1 + x2 * w2 + b).tanh()


def reuse() -> tuple[Value, Value, Value]:
    """y = h·h + h with h = 2a: a node used three times."""
    a = Value(3.0, "a")
    h = a * 2.0
    return a, h, h * h + h


def test_layout_puts_every_parent_left_of_its_child():
    """Columns grow along every edge, and no two nodes share a position."""
    order, pos = graph_layout(neuron())
    assert len(pos) == len(order) == 10
    assert all(pos[id(p)][0] < pos[id(n)][0] for n in order for p in n.parents)
    assert len(set(pos.values())) == len(pos)


def test_draw_graph_draws_one_box_per_node_and_one_arrow_per_edge():
    """draw_graph makes a box and a text per node, an arrow (and a label) per edge."""
    y = neuron()
    y.backward()
    fig = Figure()
    ax = draw_graph(y, fig.add_subplot(), show_local=True, title="neuron")
    n_nodes, n_edges = 10, 9
    arrows = [p for p in ax.patches if type(p).__name__ == "FancyArrowPatch"]
    assert len(arrows) == n_edges
    assert len(ax.patches) == n_nodes + n_edges
    assert len(ax.texts) == n_nodes + n_edges
    assert any("grad 1.000" in t.get_text() for t in ax.texts)  # the output's seed
    assert plt.get_fignums() == []


def test_draw_graph_without_axes_makes_its_own_figure():
    """With ax=None a readable figure is made and never registered with pyplot."""
    ax = draw_graph(neuron())
    assert ax.figure.get_size_inches()[0] >= 6
    assert plt.get_fignums() == []


def test_node_names_read_like_the_math():
    """Nodes are named by label, by op symbol, or as a constant."""
    a, h, y = reuse()
    assert node_name(a) == "a"
    assert node_name(h) == "×"
    assert node_name(h.parents[1]) == "const"
    assert node_name(a**2) == "(·)**2"
    y.label = "y"
    assert node_name(y) == "+ y"


def test_backward_steps_match_backward():
    """The stepper's grads (sums over uses) equal what Value.backward() computes."""
    for y in (neuron(), reuse()[2]):
        steps = backward_steps(y)
        assert all(node.grad == 0.0 for node, _, _ in steps)  # the graph is left untouched
        y.backward()
        assert steps[0][0] is y
        for node, grad, _ in steps:
            assert grad == pytest.approx(node.grad, rel=1e-12)


def test_reused_node_step_sums_three_terms():
    """The step for h = 2a in y = h·h + h sums three local × upstream terms."""
    _, h, y = reuse()
    step = next(s for s in backward_steps(y) if s[0] is h)
    assert len(step[2]) == 3
    assert step[1] == pytest.approx(2 * h.data + 1)


@pytest.mark.parametrize("make", [neuron, lambda: reuse()[2]], ids=["neuron", "reuse"])
def test_stepper_renders_every_step_without_warnings(make):
    """The stepper renders steps 0..N (and out-of-range ones) cleanly, leaving no figure."""
    y = make()
    widget = backward_stepper(y)
    n_steps = widget.controls["step"].max
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for step in [*range(n_steps + 1), n_steps + 5, -1]:
            png = widget.render(step=step)
            assert png.startswith(b"\x89PNG")
    assert plt.get_fignums() == []
    assert all(node.grad == 0.0 for node in y.topological_order())


def test_stepper_shows_the_step_it_is_given_first():
    """backward_stepper(step=k) starts at step k and its stored picture is that step's."""
    y = reuse()[2]
    widget = backward_stepper(y, step=3)
    assert widget.controls["step"].value == 3
    assert widget.render() == widget.render(step=3)
    assert widget.render() != widget.render(step=0)


@pytest.mark.parametrize("step", [-1, 99, 1.5])
def test_stepper_rejects_a_step_outside_the_graph(step):
    """A first step that is not 0..N raises a ValueError naming the function and the range."""
    with pytest.raises(ValueError, match=r"backward_stepper: step must be an integer from 0 to"):
        backward_stepper(reuse()[2], step=step)


def test_stepper_buttons_move_the_step_within_bounds():
    """Next and Back change the step by one and stop at 0 and at the last step."""
    widget = backward_stepper(reuse()[2])
    back, forward = widget.buttons
    step = widget.controls["step"]
    back.click()
    assert step.value == 0
    forward.click()
    forward.click()
    assert step.value == 2
    for _ in range(10):
        forward.click()
    assert step.value == step.max


def test_draw_backward_step_writes_the_chain_rule_sum():
    """Each step's caption writes local × upstream for the highlighted node."""
    _, h, y = reuse()
    steps = backward_steps(y)
    k = 1 + next(i for i, s in enumerate(steps) if s[0] is h)
    fig = draw_backward_step(Figure(), y, k)
    caption = fig.axes[0].texts[-1].get_text()
    assert "Σ over its 3 uses" in caption
    assert caption.endswith("= 13.000")
    first = draw_backward_step(Figure(), y, 1).axes[0].texts[-1].get_text()
    assert "= 1 (the seed)" in first


def test_a_small_graph_is_drawn_at_nine_points_or_more():
    """At graph_figsize, every box text and edge label of a neuron's graph is at least 9 pt."""
    value = neuron()
    value.backward()
    fig, ax = plt.subplots(figsize=graph_figsize(value))
    draw_graph(value, ax, show_local=True)
    sizes = [text.get_fontsize() for text in ax.texts]
    plt.close(fig)
    assert len(sizes) == 10 + 9  # a text per node, a label per edge
    assert min(sizes) >= 9


def test_down_the_page_the_inputs_are_on_top_and_the_output_at_the_bottom():
    """direction="down": every parent's box is above its child's, in readable type."""
    value = neuron()
    value.backward()
    fig, ax = plt.subplots(figsize=graph_figsize(value, "down"))
    draw_graph(value, ax, show_local=True, direction="down")
    y_of = {text.get_text(): text.get_position()[1] for text in ax.texts}
    plt.close(fig)
    order = value.topological_order()
    box = {id(n): f"{node_name(n)}\n= {_fmt(n.data)}\ngrad {_fmt(n.grad)}" for n in order}
    y_of = {id(n): y_of[box[id(n)]] for n in order}
    assert all(y_of[id(p)] > y_of[id(n)] for n in order for p in n.parents)
    assert y_of[id(value)] == min(y_of.values())
    assert min(text.get_fontsize() for text in ax.texts) >= 9


def test_draw_graph_names_the_directions_it_knows():
    with pytest.raises(ValueError, match=r'draw_graph: direction must be "across".*got \'up\''):
        draw_graph(neuron(), direction="up")


def test_a_figure_taller_than_wide_steps_down_the_page_and_its_captions_fit():
    """draw_backward_step lays the graph down a tall figure; long captions break to its width."""
    _, h, y = reuse()
    k = 1 + next(i for i, s in enumerate(backward_steps(y)) if s[0] is h)
    fig = draw_backward_step(Figure(figsize=(4.0, 5.0)), y, k)
    ax = fig.axes[0]
    heading, caption = ax.texts[-2].get_text(), ax.texts[-1].get_text()
    assert "grads flow bottom to top" in heading.replace("\n", " ")
    assert caption.endswith("= 13.000")
    assert caption.count("\n") >= 2
    width = int(4.0 * 72 / (0.56 * 9))
    assert max(len(line) for line in caption.split("\n")) <= width
    wide = draw_backward_step(Figure(figsize=(8.0, 3.0)), y, k).axes[0].texts
    assert "right to left" in wide[-2].get_text()
    assert wide[-1].get_text().count("\n") == 1
