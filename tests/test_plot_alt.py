"""Alt text is written from the drawing, and reaches a notebook's image output metadata."""

from __future__ import annotations

import json

import matplotlib
import pytest

matplotlib.use("Agg")

from bpkit.plot import _style, alt, calculus, rnn


def test_plain_turns_math_markup_into_symbols():
    """Matplotlib's TeX in a label becomes the letters a screen reader can say."""
    assert alt.plain(r"$\eta = 0.5$, $\|\partial L/\partial h\|$") == "η = 0.5, ‖∂L/∂h‖"


def test_a_plain_plot_says_title_axes_scale_and_legend():
    """One panel: its title, y against x, the log axis and the legend's labels."""
    fig = _style.new_figure()
    ax = fig.add_subplot()
    ax.semilogy([1, 2, 3], [1, 0.1, 0.01], label=r"$\eta$ = 0.9")
    ax.set(title="Loss falls", xlabel="step", ylabel="loss")
    ax.legend()
    assert alt.describe(fig) == "Loss falls; loss against step, on log y axis, legend: η = 0.9."


def test_descent_alt_text_gives_its_verdict_and_numbers():
    """draw_descent's alt text says what the run did and where the loss went."""
    fig = _style.new_figure()
    calculus.draw_descent(fig, lr=0.9, steps=30)
    text = alt.describe(fig)
    assert "Panel 1 of 2, η = 0.9: converges" in text
    assert "on log y axis" in text
    assert "The loss f(x_k) goes from 3.24 to" in text
    assert "in 30 steps" in text


def test_step_error_alt_text_names_each_method_and_its_best_step():
    """draw_step_errors' alt text names both methods' slopes and smallest errors."""
    fig = _style.new_figure()
    calculus.draw_step_errors(fig)
    text = alt.describe(fig)
    assert "on log-log axes" in text
    assert "forward (fitted slope 1.00)" in text
    assert "central (fitted slope 2.00)" in text
    assert "Smallest central error" in text
    assert "Smallest forward error" in text


def test_gradient_flow_alt_text_follows_the_radius():
    """The gradient-flow picture's words change with what it draws (vanish vs explode)."""
    texts = []
    for radius in (0.8, 1.3):
        fig = _style.new_figure()
        rnn.draw_gradient_flow(fig, radius=radius)
        texts.append(alt.describe(fig))
    for radius, text in zip((0.8, 1.3), texts, strict=True):
        norms, _ = rnn.gradient_flow_norms(radius, 50, "tanh", None, 0.5)
        assert f"ρ = {radius:.2f}, tanh: the gradient {rnn.describe_gradient_flow(norms)}" in text
        assert f"the largest |λ| = {radius:.2f}" in text
    assert "vanishes" in texts[0]


def test_own_alt_text_replaces_the_written_one():
    """set_alt gives a figure the author's sentence instead of the generated one."""
    fig = _style.new_figure()
    fig.add_subplot().plot([0, 1])
    alt.set_alt(fig, "A rising line.")
    assert alt.describe(fig) == "A rising line."
    assert alt.png_metadata(fig) == {"image/png": {"alt": "A rising line."}}


def test_install_is_false_outside_ipython():
    """Outside IPython there is no display to hook, and install says so."""
    assert alt.install() is False


@pytest.mark.slow
def test_notebook_figures_carry_alt_text_in_their_output_metadata():
    """In a kernel, after bpkit.plot.apply(), inline figures and show() store their alt text."""
    import nbclient
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    notebook.cells = [
        nbformat.v4.new_code_cell(source)
        for source in [
            "%matplotlib inline\nimport matplotlib.pyplot as plt\nimport bpkit.plot\n"
            "bpkit.plot.apply()",
            "fig, ax = plt.subplots()\nax.plot([0, 1], [1, 0])\n"
            "ax.set(title='Falls', xlabel='t', ylabel='y');",
            "from bpkit.plot import alt\nfig, ax = plt.subplots()\nax.plot([0, 1])\n"
            "alt.show(fig, alt='My own words.')\nplt.close(fig)",
        ]
    ]
    nbclient.NotebookClient(notebook, kernel_name="python3", timeout=120).execute()
    found = [
        output["metadata"]["image/png"]["alt"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]
    assert found == ["Falls; y against t.", "My own words."], json.dumps(found)


def test_a_graph_drawing_lists_its_nodes_values_and_grads():
    """draw_graph's alt text names every node with its value and grad, the output first."""
    from bpkit.plot import graph
    from bpkit.scalar import Value

    a, b = Value(2.0, "a"), Value(-3.0, "b")
    y = a * b
    y.label = "y"
    y.backward()
    ax = graph.draw_graph(y, title="A product")
    text = alt.describe(ax.figure)
    assert text.startswith("A product. A graph of 3 nodes with output × y = -6.000: ")
    assert "a = 2.000 (grad -3.000)" in text
    assert "b = -3.000 (grad 2.000)" in text


def test_a_grid_of_images_is_named_at_once():
    """Eight digit pictures read as one sentence with their titles, not eight diagrams."""
    import numpy as np

    fig = _style.new_figure()
    fig.suptitle("Misclassified: true → predicted")
    for i, ax in enumerate(fig.subplots(2, 4).ravel()):
        ax.imshow(np.eye(8) * i)
        ax.set_title(f"{i} → {7 - i}")
        ax.axis("off")
    text = alt.describe(fig)
    assert text.startswith("Misclassified: true → predicted. 8 images, titled 0 → 7, 1 → 6,")
    assert "diagram" not in text
