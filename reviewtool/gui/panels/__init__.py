"""Panel screens: draw, assignment, sheet status, votes, calibration."""
