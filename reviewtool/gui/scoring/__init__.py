"""Rubric editor, score entry and the ranked view."""
