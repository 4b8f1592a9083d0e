"""Coverage figures of a grid cut into windows and folded with `CoverageAccumulator.absorb`
equal those of the whole grid, gaps that straddle a boundary counted once with their length.
The hand-checked case is worked out below; the random ones hold every cut against the
single-pass accumulator."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from leonet.errors import InputError
from leonet.physics.coverage import CoverageAccumulator, figures_from_counts, holds_s


def _windowed(counts: np.ndarray, offsets_s: np.ndarray, cuts: list[int], min_sats: int = 1):
    h = holds_s(offsets_s)
    edges = [0, *cuts, counts.shape[0]]
    accs = []
    for a, b in pairwise(edges):
        acc = CoverageAccumulator(counts.shape[1], min_sats=min_sats, lead_is_gap=a == 0)
        for k in range(a, b):
            acc.add(counts[k], offsets_s[k], h[k])
        accs.append(acc)
    total = accs[0]
    for later in accs[1:]:
        total.absorb(later)
    return total.result()


def test_gap_across_a_boundary_is_one_gap_of_its_full_length():
    # Point 0: covered at 0 s, uncovered 60-180 s, covered at 240 s; the cut at index 2 falls
    # inside that gap. By hand: one gap of 180 s (60 -> 240), longest 180 s, response
    # (180 + 120 + 60) * 60 / 300 = 72 s. Point 1: never covered before 180 s (first at 180 s),
    # uncovered again at 240 s to the end: gaps 180 s and 60 s.
    counts = np.array([[1, 0], [0, 0], [0, 0], [0, 1], [1, 0]])
    t = np.array([0.0, 60.0, 120.0, 180.0, 240.0])
    fig = _windowed(counts, t, [2])
    assert fig.n_gaps.tolist() == [1, 2]
    assert fig.longest_gap_s.tolist() == [180.0, 180.0]
    assert fig.time_to_first_s.tolist() == [0.0, 180.0]
    assert fig.mean_response_s[0] == pytest.approx(72.0, abs=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_every_cut_gives_the_single_pass_figures_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    counts = (rng.random((40, 25)) < 0.35).astype(np.int64) * rng.integers(1, 4, (40, 25))
    t = np.arange(40) * 15.0
    ref = figures_from_counts(counts, t, min_sats=2)
    cuts = sorted(rng.choice(np.arange(1, 40), size=seed + 1, replace=False).tolist())
    got = _windowed(counts, t, cuts, min_sats=2)
    for name, value in ref.columns().items():
        np.testing.assert_array_equal(got.columns()[name], value, err_msg=name)
    assert (got.n_times, got.duration_s) == (ref.n_times, ref.duration_s)


def test_absorb_refuses_a_window_that_does_not_follow():
    a = CoverageAccumulator(1)
    a.add(np.array([1]), 0.0, 60.0)
    b = CoverageAccumulator(1, lead_is_gap=False)
    b.add(np.array([1]), 120.0, 60.0)
    with pytest.raises(InputError, match=r"starts at 120\.0 s"):
        a.absorb(b)
    with pytest.raises(InputError, match="lead_is_gap=False"):
        a.absorb(CoverageAccumulator(1))
