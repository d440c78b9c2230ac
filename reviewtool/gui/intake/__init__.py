"""Intake dialogs: import preview, the application form, formal review."""
