"""The audit log: every change and every sensitive read, append-only."""
