"""Expert panels (专家组): panels, 回避, draw, membership, assignment, sheet status, finalising, votes, calibration and offline workbooks."""
