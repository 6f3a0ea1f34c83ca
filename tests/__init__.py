"""hrcalc tests."""
