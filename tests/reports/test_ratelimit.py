"""The in-memory rate limiter: hits counted per address, and given back on refusal."""

from __future__ import annotations

from marsad.reports.ratelimit import RateLimiter


def test_a_hit_given_back_frees_its_place_for_that_address_only() -> None:
    limiter = RateLimiter(2, 60)
    assert limiter.hit("10.0.0.1", now=0) and limiter.hit("10.0.0.1", now=1)
    assert not limiter.hit("10.0.0.1", now=2)
    limiter.release("10.0.0.1")
    assert limiter.hit("10.0.0.1", now=3)
    assert not limiter.hit("10.0.0.1", now=4)
    limiter.release("10.0.0.2")  # nothing counted there: nothing to give back
    assert limiter.hit("10.0.0.2", now=5) and limiter.hit("10.0.0.2", now=6)
    assert not limiter.hit("10.0.0.2", now=7)
    # The older hits still expire when the window passes.
    assert limiter.hit("10.0.0.1", now=61)
