"""Scoring: rubrics, score sheets, panel results and the ranking."""
