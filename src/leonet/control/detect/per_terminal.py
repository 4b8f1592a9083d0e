"""The detectors that look at one terminal's reports at a time (every kind but ``cluster``),
run in their order: what a terminal shard of a distributed run does (`sharded`)."""

from __future__ import annotations

from collections.abc import Collection

from leonet.control.detect import airborne, motion, policy_kinds, roaming
from leonet.control.detect.context import Context

# The detectors that need nothing but the context, in the order they run.
_DETECTORS = (
    ("denied_region", policy_kinds.denied_region),
    ("not_whitelisted", policy_kinds.not_whitelisted),
    ("speed_limit", policy_kinds.speed_limit),
    ("altitude_limit", policy_kinds.altitude_limit),
    ("drone_like", airborne.drone_like),
    ("roaming_limit", roaming.roaming_limit),
)


def run_detectors(ctx: Context, chosen: Collection[str]) -> None:
    """The per-terminal detectors of ``chosen`` (every kind but ``cluster``), in their order:
    each looks at one terminal's reports at a time."""
    cloned = None
    if "cloned_identity" in chosen:
        cloned = motion.cloned_identity(ctx)
    if "impossible_travel" in chosen:
        motion.impossible_travel(ctx, cloned)
    for kind, find in _DETECTORS:
        if kind in chosen:
            find(ctx)
