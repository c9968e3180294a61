"""Learner mistakes for exercises 01–04: wrong code, and what ``check`` must say about it.

Each entry is ``(named, code)``: ``code`` defines the graded function the wrong way a learner
might, and ``named`` lists words the feedback must contain (the mistake, named). Every entry
must fail ``check`` (``tests/test_mistakes.py``).
"""

MISTAKES = [
    # forward_difference
    (
        ["central"],
        """\
def forward_difference(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / (2 * h)
""",
    ),
    (
        ["backward"],
        """\
def forward_difference(f, x, h=1e-5):
    return (f(x) - f(x - h)) / h
""",
    ),
    (
        ["array"],
        """\
def forward_difference(f, x, h=1e-5):
    return float((f(x + h) - f(x)) / h)
""",
    ),
    (
        ["divide"],
        """\
def forward_difference(f, x, h=1e-5):
    return f(x + h) - f(x)
""",
    ),
    # central_difference
    (
        ["forward difference"],
        """\
def central_difference(f, x, h=1e-5):
    return (f(x + h) - f(x)) / h
""",
    ),
    (
        ["2h"],
        """\
def central_difference(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / h
""",
    ),
    (
        ["parenthes"],
        """\
def central_difference(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / 2 * h
""",
    ),
    # numeric_gradient
    (
        ["changed", "put the old value back"],
        """\
import numpy as np
def numeric_gradient(f, x, h=1e-5):
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]; x[i] = old + h; fp = f(x); x[i] = old - h; fm = f(x)
        g[i] = (fp - fm) / (2 * h)
    return g
""",
    ),
    (
        ["one-sided"],
        """\
import numpy as np
def numeric_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]; x[i] = old + h; fp = f(x); x[i] = old
        g[i] = (fp - f(x)) / h
    return g
""",
    ),
    (
        ["one entry at a time"],
        """\
import numpy as np
def numeric_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    return (f(x + h) - f(x - h)) / (2 * h)
""",
    ),
    # dloss_dw
    (
        ["activation derivative"],
        """\
import numpy as np
def dloss_dw(w, x, y):
    return 2 * (np.tanh(w * x) - y) * x
""",
    ),
    (
        ["x"],
        """\
import numpy as np
def dloss_dw(w, x, y):
    a = np.tanh(w * x)
    return 2 * (a - y) * (1 - a**2)
""",
    ),
    (
        ["2"],
        """\
import numpy as np
def dloss_dw(w, x, y):
    a = np.tanh(w * x)
    return (a - y) * (1 - a**2) * x
""",
    ),
    # df_dx
    (
        ["path"],
        """\
import numpy as np
def df_dx(x):
    return np.cos(x) * x**2
""",
    ),
    (
        ["product"],
        """\
import numpy as np
def df_dx(x):
    return np.cos(x) * 2 * x
""",
    ),
    (
        ["path"],
        """\
import numpy as np
def df_dx(x):
    return np.sin(x) * 2 * x
""",
    ),
    # count_paths
    (
        ["multipl"],
        """\
def count_paths(depth, width):
    return depth * width
""",
    ),
    (
        ["swapped"],
        """\
def count_paths(depth, width):
    return depth ** width
""",
    ),
    (
        ["overflow"],
        """\
import numpy as np
def count_paths(depth, width):
    return np.int32(width) ** depth
""",
    ),
    # gradient_descent
    (
        ["uphill"],
        """\
import numpy as np
def gradient_descent(grad, x0, lr, steps):
    x = np.array(x0, dtype=float); h = [x]
    for _ in range(steps):
        x = x + lr * grad(x); h.append(x)
    return np.array(h)
""",
    ),
    (
        ["same array"],
        """\
import numpy as np
def gradient_descent(grad, x0, lr, steps):
    x = np.array(x0, dtype=float); h = [x]
    for _ in range(steps):
        x -= lr * grad(x); h.append(x)
    return np.array(h)
""",
    ),
    (
        ["x0"],
        """\
import numpy as np
def gradient_descent(grad, x0, lr, steps):
    x = np.array(x0, dtype=float); h = []
    for _ in range(steps):
        x = x - lr * grad(x); h.append(x)
    return np.array(h)
""",
    ),
    (
        ["chang"],
        """\
import numpy as np
def gradient_descent(grad, x0, lr, steps):
    x = x0; h = [np.array(x0, dtype=float)]
    for _ in range(steps):
        x -= lr * grad(x); h.append(x.copy())
    return np.array(h)
""",
    ),
    # largest_stable_lr
    (
        ["2"],
        """\
import numpy as np
def largest_stable_lr(curvatures):
    return 1 / np.max(curvatures)
""",
    ),
    (
        ["largest", "curvature"],
        """\
import numpy as np
def largest_stable_lr(curvatures):
    return 2 / np.min(curvatures)
""",
    ),
    (
        ["every"],
        """\
import numpy as np
def largest_stable_lr(curvatures):
    return 2 / np.mean(curvatures)
""",
    ),
    # momentum_descent
    (
        ["velocity"],
        """\
import numpy as np
def momentum_descent(grad, x0, lr, beta, steps):
    x = np.array(x0, dtype=float); h = [x]
    for _ in range(steps):
        x = x - lr * grad(x); h.append(x)
    return np.array(h)
""",
    ),
    (
        ["velocity"],
        """\
import numpy as np
def momentum_descent(grad, x0, lr, beta, steps):
    x = np.array(x0, dtype=float); h = [x]
    for _ in range(steps):
        v = np.zeros_like(x)
        v = beta * v - lr * grad(x); x = x + v; h.append(x)
    return np.array(h)
""",
    ),
    (
        ["same array"],
        """\
import numpy as np
def momentum_descent(grad, x0, lr, beta, steps):
    x = np.array(x0, dtype=float); v = np.zeros_like(x); h = [x]
    for _ in range(steps):
        v = beta * v - lr * grad(x); x += v; h.append(x)
    return np.array(h)
""",
    ),
    # sigmoid
    (
        ["overflow"],
        """\
import numpy as np
def sigmoid(z):
    return 1 / (1 + np.exp(-z))
""",
    ),
    (
        ["sign"],
        """\
import numpy as np
def sigmoid(z):
    return 1 / (1 + np.exp(z))
""",
    ),
    (
        ["1 − σ(z)"],
        """\
import numpy as np
def sigmoid(z):
    return np.exp(-z) / (1 + np.exp(-z))
""",
    ),
    # sigmoid_prime
    (
        ["σ(z)"],
        """\
import numpy as np
def sigmoid_prime(z):
    return np.exp(-z) / (1 + np.exp(-z))**2 * 0 + z * (1 - z)
""",
    ),
    (
        ["1 −"],
        """\
import numpy as np
def sigmoid_prime(z):
    s = 1 / (1 + np.exp(-np.asarray(z, float)))
    return s * (1 + s)
""",
    ),
    (
        ["derivative"],
        """\
import numpy as np
def sigmoid_prime(z):
    s = 1 / (1 + np.exp(-np.asarray(z, float)))
    return s
""",
    ),
    # relu_prime
    (
        ["float"],
        """\
import numpy as np
def relu_prime(z):
    return np.asarray(z) > 0
""",
    ),
    (
        ["z = 0"],
        """\
import numpy as np
def relu_prime(z):
    return (np.asarray(z) >= 0).astype(float)
""",
    ),
    (
        ["derivative"],
        """\
import numpy as np
def relu_prime(z):
    return np.maximum(0, z)
""",
    ),
    # dense_forward
    (
        ["bias"],
        """\
def dense_forward(x, W, b):
    return x @ W
""",
    ),
    (
        ["row"],
        """\
def dense_forward(x, W, b):
    return W @ x + b
""",
    ),
    (
        ["@"],
        """\
def dense_forward(x, W, b):
    return x * W + b
""",
    ),
    # xor_weights
    (
        ["hidden"],
        """\
import numpy as np
def xor_weights():
    return np.zeros((2, 2)), np.zeros(2), np.zeros((2, 1)), np.zeros(1)
""",
    ),
    (
        ["value"],
        """\
import numpy as np
def xor_weights():
    W1 = np.array([[20.0, 20.0], [20.0, 20.0]]); b1 = np.array([-10.0, -30.0])
    return W1, b1, np.array([[20.0], [20.0]]), np.array([-10.0])
""",
    ),
    (
        ["value"],
        """\
import numpy as np
def xor_weights():
    W1 = np.array([[2.0, 2.0], [2.0, 2.0]]); b1 = np.array([-1.0, -3.0])
    return W1, b1, np.array([[2.0], [-2.0]]), np.array([-1.0])
""",
    ),
]

# xor_weights returning something that is no 2-2-1 network: before, the XOR-separability
# hint answered (issue 24: "4.5 a wrong return type gets a hint about the logic gates").
MISTAKES += [
    (
        ["a dict with keys", "as a tuple"],
        """\
import numpy as np
def xor_weights():
    W1 = np.array([[20.0, 20.0], [20.0, 20.0]]); b1 = np.array([-10.0, -30.0])
    return {"W1": W1, "b1": b1, "W2": np.array([[20.0], [-20.0]]), "b2": np.array([-10.0])}
""",
    ),
    (
        ["shaped (2, 2), (2,), (1, 2), (1,)", "W2 (2, 1)"],
        """\
import numpy as np
def xor_weights():
    W1 = np.array([[20.0, 20.0], [20.0, 20.0]]); b1 = np.array([-10.0, -30.0])
    return W1, b1, np.array([[20.0, -20.0]]), np.array([-10.0])
""",
    ),
]

# Wrong only where a hidden case looked before: found by tests/test_check_grade_agree.py
# (check ✓, grade short), each now failing a public case whose hint names it.
MISTAKES += [
    (
        ["ignores its argument h", "h = 0.01"],
        """\
def central_difference(f, x, h=1e-5):
    return (f(x + 1e-5) - f(x - 1e-5)) / 2e-5
""",
    ),
    (
        ["ignores its argument h", "h = 0.001"],
        """\
def forward_difference(f, x, h=1e-5):
    return (f(x + 1e-5) - f(x)) / 1e-5
""",
    ),
    (
        ["depth is 0", "one path"],
        """\
def count_paths(depth, width):
    n = 1
    for _ in range(depth - 1):
        n *= width
    return n * width if depth else 0
""",
    ),
    (
        ["not the largest"],
        """\
def largest_stable_lr(curvatures):
    return 2.0 / curvatures[-1]
""",
    ),
    (
        ["not the largest"],
        """\
def largest_stable_lr(curvatures):
    return 2.0 / max(curvatures[0], curvatures[-1])
""",
    ),
]

# Phrases that would hand the learner the solution: no feedback may contain them.
ANSWERS = {
    "count_paths": ["width ** depth", "width**depth"],
    "momentum_descent": ["beta * v - lr", "v = beta", "x = x + v"],
    "xor_weights": ["±20", "or and not and", "'or and not and'"],
    "central_difference": ["/ (2 * h)", "/(2*h)"],
    "largest_stable_lr": ["2 / ", "2/max", "2 / max"],
    "dense_forward": ["x @ w + b"],
}
