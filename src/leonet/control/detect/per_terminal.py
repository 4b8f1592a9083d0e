"""The detectors that look at one terminal's reports at a time (every kind but ``cluster``),
run in their order: what a terminal shard of a distributed run does (`sharded`)."""

from __future__ import annotations

from collections.abc import Collection

from leonet.control.detect import airborne, motion, policy_kinds, roaming
from leonet.control.detect.context import Context


def run_detectors(ctx: Context, chosen: Collection[str]) -> None:
    """The per-terminal detectors of ``chosen`` (every kind but ``cluster``), in their order:
    each looks at one terminal's reports at a time."""
    cloned = None
    if "cloned_identity" in chosen:
        cloned = motion.cloned_identity(ctx)
    if "impossible_travel" in chosen:
        motion.impossible_travel(ctx, cloned)
    if "denied_region" in chosen:
        policy_kinds.denied_region(ctx)
    if "not_whitelisted" in chosen:
        policy_kinds.not_whitelisted(ctx)
    if "speed_limit" in chosen:
        policy_kinds.speed_limit(ctx)
    if "altitude_limit" in chosen:
        policy_kinds.altitude_limit(ctx)
    if "drone_like" in chosen:
        airborne.drone_like(ctx)
    if "roaming_limit" in chosen:
        roaming.roaming_limit(ctx)
