"""What the sky does: pure numpy/scipy computations, no I/O, no global state."""
