"""loadcell."""
