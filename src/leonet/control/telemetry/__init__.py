"""Terminal telemetry: reports of where each terminal was, when, how high and how fast,
read from CSV or Parquet (`read_telemetry`) or from arrays (`telemetry_from_arrays`), written
back (`write_telemetry`) and kept in a store of Parquet batches (`store`); every bad row is
reported in `RowIssues` with the reason, and the rest is kept, sorted by
``(terminal_id, time)``. May import `leonet.physics` (distances, time parsing) and
`leonet.errors`; nothing else of leonet.
"""

from leonet.control.telemetry.checks import telemetry_from_arrays
from leonet.control.telemetry.core import COLUMNS, OPTIONAL, REQUIRED, RowIssues, Telemetry
from leonet.control.telemetry.files import read_telemetry, write_telemetry

__all__ = ["COLUMNS", "OPTIONAL", "REQUIRED", "RowIssues", "Telemetry", "read_telemetry",
           "telemetry_from_arrays", "write_telemetry"]
