"""Connected components of an edge list, vectorized (min-label propagation with pointer jumping).

Every node starts with its own number as label; each round lowers both ends of every
edge to the smaller of their labels, then follows labels to their labels until they
stop changing. On convergence each node's label is the smallest node number of its
component, which is also the document the keep rule keeps.
"""

from __future__ import annotations

import numpy as np


def component_labels(n_nodes: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Label (smallest member) of each node's component; isolated nodes label themselves."""
    label = np.arange(n_nodes, dtype=np.int64)
    if len(u) == 0:
        return label
    while True:
        low = np.minimum(label[u], label[v])
        before = label.copy()
        np.minimum.at(label, u, low)
        np.minimum.at(label, v, low)
        while True:  # pointer jumping: a label's label is a smaller (or equal) label
            jumped = label[label]
            if np.array_equal(jumped, label):
                break
            label = jumped
        if np.array_equal(label, before):
            return label
