"""Spreadsheet imports started from the web: a job per upload, planned and applied in the background."""
