"""Expert panels, in plain Python: 回避 rules, the draw, the optimal assignment and calibration."""
