"""Command groups of the `leonet` CLI, one module each, registered in `leonet.cli`."""
