"""Widgets and table models that several feature screens share."""
