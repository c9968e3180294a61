"""Learner mistakes for exercises 06 (an autodiff engine) and 07 (training): see ``ex01_04.py``."""

_NODE = "import math\nfrom bpkit.check.graph import Node, add\n"

_TOPO = (
    _NODE
    + """\
def topological_order(root):
    order, seen = [], set()
    stack = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((p, False) for p in node.parents if id(p) not in seen)
    return order
"""
)

_SOFTMAX_CE = """\
import numpy as np
def softmax_cross_entropy(z, y):
    batch = len(z)
    {body}
"""

MISTAKES = [
    # mul
    (
        ["swapped"],
        _NODE + "def mul(a, b):\n"
        "    return Node(a.data * b.data, parents=(a, b), local_grads=(a.data, b.data), op='*')\n",
    ),
    (
        ["local"],
        _NODE + "def mul(a, b):\n"
        "    return Node(a.data * b.data, parents=(a, b), local_grads=(1.0, 1.0), op='*')\n",
    ),
    (
        ["parents = ()", "very input nodes"],
        _NODE + "def mul(a, b):\n"
        "    return Node(a.data * b.data, parents=(), local_grads=(), op='*')\n",
    ),
    # tanh
    (
        ["derivative"],
        _NODE + "def tanh(a):\n"
        "    t = math.tanh(a.data)\n"
        "    return Node(t, parents=(a,), local_grads=(1.0,), op='tanh')\n",
    ),
    (
        ["input"],
        _NODE + "def tanh(a):\n"
        "    t = math.tanh(a.data)\n"
        "    return Node(t, parents=(a,), local_grads=(1.0 - a.data**2,), op='tanh')\n",
    ),
    (
        ["another node", "very input nodes"],
        _NODE + "def tanh(a):\n"
        "    t = math.tanh(a.data)\n"
        "    return Node(t, parents=(Node(a.data),), local_grads=(1.0 - t * t,), op='tanh')\n",
    ),
    (
        ["1 − t²"],
        _NODE + "def tanh(a):\n"
        "    t = math.tanh(a.data)\n"
        "    return Node(t, parents=(a,), local_grads=(1.0 - t,), op='tanh')\n",
    ),
    # topological_order
    (
        ["root comes last"],
        _NODE + "def topological_order(root):\n"
        "    order, seen, stack = [], set(), [root]\n"
        "    while stack:\n        node = stack.pop()\n"
        "        if id(node) in seen:\n            continue\n"
        "        seen.add(id(node))\n        order.append(node)\n"
        "        stack.extend(node.parents)\n    return order\n",
    ),
    (
        ["once"],
        _NODE + "def topological_order(root):\n"
        "    order = []\n"
        "    def visit(node):\n"
        "        for p in node.parents:\n            visit(p)\n"
        "        order.append(node)\n"
        "    visit(root)\n    return order\n",
    ),
    (
        ["recursion"],
        _NODE + "def topological_order(root):\n"
        "    order, seen = [], set()\n"
        "    def visit(node):\n"
        "        if id(node) in seen:\n            return\n"
        "        seen.add(id(node))\n"
        "        for p in node.parents:\n            visit(p)\n"
        "        order.append(node)\n"
        "    visit(root)\n    return order\n",
    ),
    # backward
    (
        ["+="],
        _TOPO + "def backward(root):\n    root.grad = 1.0\n"
        "    for node in reversed(topological_order(root)):\n"
        "        for parent, g in zip(node.parents, node.local_grads):\n"
        "            parent.grad = g * node.grad\n",
    ),
    (
        ["∂root/∂root"],
        _TOPO + "def backward(root):\n"
        "    for node in reversed(topological_order(root)):\n"
        "        for parent, g in zip(node.parents, node.local_grads):\n"
        "            parent.grad += g * node.grad\n",
    ),
    (
        ["order"],
        _TOPO + "def backward(root):\n    root.grad = 1.0\n"
        "    for node in topological_order(root):\n"
        "        for parent, g in zip(node.parents, node.local_grads):\n"
        "            parent.grad += g * node.grad\n",
    ),
    # softmax
    (
        ["overflow"],
        "import numpy as np\ndef softmax(z):\n"
        "    e = np.exp(z)\n    return e / e.sum(axis=1, keepdims=True)\n",
    ),
    (
        ["row"],
        "import numpy as np\ndef softmax(z):\n"
        "    e = np.exp(z - z.max())\n    return e / e.sum(axis=1, keepdims=True)\n",
    ),
    (
        ["row"],
        "import numpy as np\ndef softmax(z):\n"
        "    e = np.exp(z - z.max(axis=1, keepdims=True))\n    return e / e.sum()\n",
    ),
    # softmax_cross_entropy
    (
        ["batch"],
        _SOFTMAX_CE.format(
            body=(
                "shifted = z - z.max(axis=1, keepdims=True)\n"
                "    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))\n"
                "    dz = np.exp(log_p)\n    dz[np.arange(batch), y] -= 1\n"
                "    return float(-log_p[np.arange(batch), y].mean()), dz"
            )
        ),
    ),
    (
        ["log(0)"],
        _SOFTMAX_CE.format(
            body=(
                "e = np.exp(z - z.max(axis=1, keepdims=True))\n"
                "    p = e / e.sum(axis=1, keepdims=True)\n"
                "    dz = p.copy()\n    dz[np.arange(batch), y] -= 1\n"
                "    return float(-np.log(p[np.arange(batch), y]).mean()), dz / batch"
            )
        ),
    ),
    (
        ["subtract 1"],
        _SOFTMAX_CE.format(
            body=(
                "shifted = z - z.max(axis=1, keepdims=True)\n"
                "    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))\n"
                "    return float(-log_p[np.arange(batch), y].mean()), np.exp(log_p) / batch"
            )
        ),
    ),
]

# softmax shifted by the row's mean: ✓ before, while a hidden case overflowed (found by
# tests/test_check_grade_agree.py); a public row with scores ±1000 now shows it.
MISTAKES += [
    (
        ["overflow", "row maximum"],
        """\
import numpy as np
def softmax(z):
    e = np.exp(z - z.mean(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
""",
    ),
]

ANSWERS = {
    "mul": ["local_grads=(b.data, a.data)"],
    "backward": ["parent.grad += local_grad * node.grad"],
    "softmax_cross_entropy": ["dz[np.arange(batch), y] -= 1"],
}

_TRAIN = """\
import numpy as np
def train_classifier(X, y, seed=0):
    rng = np.random.default_rng(seed)
    W1 = rng.standard_normal((X.shape[1], 64)) / np.sqrt(X.shape[1])
    b1 = np.zeros(64)
    W2 = rng.standard_normal((64, 10)) / 8.0
    b2 = np.zeros(10)
    {body}
"""

MISTAKES += [
    # train_classifier: the check trains for real, so each of these takes a moment
    (["guessing"], _TRAIN.format(body='return {"W1": W1, "b1": b1, "W2": W2, "b2": b2}')),
    (["dict"], _TRAIN.format(body="return W1, b1, W2, b2")),
    (["dict"], _TRAIN.format(body='return {"W1": W1, "b1": b1, "W2": W2.T, "b2": b2}')),
]
