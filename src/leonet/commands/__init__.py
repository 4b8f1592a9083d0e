"""Command groups of the `leonet` CLI, one module per group (registered in `leonet.cli`)."""
