"""Policy documents, the vectorised decision engine, explanations and what-if diffs. May
import `leonet.control` regions, labels and the grid index, `leonet.physics.timegrid`,
`leonet.errors` and `leonet.data`; never `regional`, `scenario`, `reporting`, `server` or the
CLI.

>>> policy = Policy.from_text('''
... version = "2026-02-03"
... default = "deny"
...
... [[rules]]
... id = "ua-activated"
... effect = "allow"
... regions = ["UA"]
... from = "2022-02-26T00:00:00Z"
...
... [[rules]]
... id = "ua-speed-cutoff"
... effect = "deny"
... regions = ["UA"]
... speed_kmh_above = 90
... unless_whitelisted = true
... from = "2026-02-01T00:00:00Z"
... ''')
>>> d = policy.decide(lat_deg=[50.45, 50.45, 52.23], lon_deg=[30.52, 30.52, 21.01],
...                   speed_kmh=[0, 120, 0], time="2026-02-10T12:00:00Z")
>>> d.allowed.tolist(), d.rule.tolist()
([True, False, False], ['ua-activated', 'ua-speed-cutoff', 'default'])
"""

from leonet.control.policy.core import Policy
from leonet.control.policy.decisions import Decisions
from leonet.control.policy.diff import PolicyDiff, diff_policies
from leonet.control.policy.document import Rule
from leonet.control.policy.inputs import Coded

__all__ = ["Coded", "Decisions", "Policy", "PolicyDiff", "Rule", "diff_policies"]
