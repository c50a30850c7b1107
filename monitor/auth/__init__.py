"""Accounts, roles, sessions and API tokens: who may use the service, and for what."""
