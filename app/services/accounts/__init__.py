"""Accounts: members and staff, passwords, sessions, POS API keys."""
