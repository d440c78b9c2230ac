"""Accounts: users, roles, logging in (issue 15). See ``core/users.py`` for the roles."""
