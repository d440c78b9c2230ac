"""Application intake rules: the summary sheet's columns, value parsing and row validation (no database)."""
