"""Scoring, in plain Python: rubric specifications and their checks, and the exact scoring maths."""
