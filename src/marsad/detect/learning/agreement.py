"""How far analysts agree: Krippendorff's alpha (nominal) per task (the ``krippendorff`` package).

Only posts two or more people labelled count (the "pairable" values); alpha is
None while there are none, or when every label has the same value (alpha is
undefined then: no disagreement can be told from no variation).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["nominal_alpha"]


def nominal_alpha(by_unit: Mapping[object, Mapping[str, int]]) -> dict[str, float | int | None]:
    """``{"alpha", "posts", "labellers", "labels"}`` over units labelled by two or more people.

    ``by_unit`` maps each unit (a post) to ``{person: value}``.
    """
    import krippendorff

    shared = {unit: values for unit, values in by_unit.items() if len(values) >= 2}
    people = sorted({who for values in shared.values() for who in values})
    result: dict[str, float | int | None] = {
        "alpha": None,
        "posts": len(shared),
        "labellers": len(people),
        "labels": sum(len(v) for v in shared.values()),
    }
    if not shared:
        return result
    column = {who: i for i, who in enumerate(people)}
    data = np.full((len(people), len(shared)), np.nan)
    for j, values in enumerate(shared.values()):
        for who, value in values.items():
            data[column[who], j] = value
    if len({v for values in shared.values() for v in values.values()}) < 2:
        return result
    alpha = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    result["alpha"] = round(float(alpha), 4)
    return result
