"""Point-in-region tests for millions of reports, through the policy engine's exact kernel.

A region test is a one-rule policy ("allow inside REGION, else deny"), and the country of a
point comes from `leonet.control.labels`: the same grid index makes both exact at borders and
millions of points per second.
"""

from __future__ import annotations

import numpy as np

from leonet.control.boundaries import countries
from leonet.control.labels import country_index
from leonet.control.policy import Policy
from leonet.errors import InputError

_EPOCH = np.datetime64(0, "ns")


class Regions:
    """Membership tests for region names, resolved like the policy's own (``area:`` names
    come from ``policy``'s areas, ``file:`` paths are relative to its file)."""

    def __init__(self, policy=None) -> None:
        self.policy = policy
        self._tests: dict[str, object] = {}

    def _test(self, name: str) -> Policy:
        test = self._tests.get(name)
        if test is None:
            doc: dict = {"version": f"inside {name}", "default": "deny",
                         "rules": [{"id": "inside", "effect": "allow", "regions": [name]}]}
            base = None
            if self.policy is not None:
                if self.policy.area_specs:
                    doc["areas"] = self.policy.to_dict().get("areas", {})
                base = self.policy.base_dir
            test = Policy.from_dict(doc, source=f"region {name}", base_dir=base)
            self._tests[name] = test
        return test

    def check(self, name: str, where: str = "region") -> None:
        """Raise `InputError` (with suggestions) unless ``name`` resolves."""
        try:
            self._test(name)
        except InputError as exc:
            raise InputError(exc.what, where) from None

    def inside(self, name: str, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
        if not len(lat_deg):
            return np.zeros(0, dtype=bool)
        d = self._test(name).decide(lat_deg=lat_deg, lon_deg=lon_deg, time=_EPOCH)
        return np.asarray(d.allowed, dtype=bool)

    def inside_area(self, spec: dict, lat_deg: np.ndarray, lon_deg: np.ndarray,
                    label: str) -> np.ndarray:
        """Membership of an area given as a policy area table (e.g. a contact line with
        ``buffer_km``), by the engine."""
        key = f"area-spec:{label}"
        test = self._tests.get(key)
        if test is None:
            test = Policy.from_dict({
                "version": label, "default": "deny", "areas": {"zone": spec},
                "rules": [{"id": "inside", "effect": "allow", "regions": ["area:zone"]}]},
                source=label)
            self._tests[key] = test
        if not len(lat_deg):
            return np.zeros(0, dtype=bool)
        d = test.decide(lat_deg=lat_deg, lon_deg=lon_deg, time=_EPOCH)
        return np.asarray(d.allowed, dtype=bool)

    # -- countries ---------------------------------------------------------------------------

    @property
    def country_codes(self) -> np.ndarray:
        return np.asarray(countries().code, dtype=object)

    def country(self, lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
        """Index into `country_codes` of the country holding each point; -1 at sea."""
        return country_index(lat_deg, lon_deg).astype(np.int64)

    def country_name(self, index: int) -> str:
        if index < 0:
            return "at sea or in no country"
        table = countries()
        return f"{table.name[index]} ({table.code[index]})"
