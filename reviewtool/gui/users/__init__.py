"""Accounts in the GUI: the login dialog and the administrator's user management."""
