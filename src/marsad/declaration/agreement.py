"""Agreement between two coders: Cohen's kappa (pure).

kappa = (p_o - p_e) / (1 - p_e), with p_o the share of items both coders gave
the same label and p_e the share expected by chance from each coder's own
label frequencies. When both coders used one single label throughout
(p_e = 1) kappa is undefined: None, never a made-up 1.0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence


def cohen_kappa(pairs: Sequence[tuple[Hashable, Hashable]]) -> float | None:
    """Cohen's kappa of ``(first coder's label, second coder's label)`` pairs; None if undefined."""
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(1 for a, b in pairs if a == b) / n
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    expected = sum(first[label] * second.get(label, 0) for label in first) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1 - expected)
