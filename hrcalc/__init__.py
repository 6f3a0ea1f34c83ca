"""hrcalc: exact awards under Hefei's 2024 HR services industry plan, from the bureau's workbook."""

__version__ = "0.1.0"
