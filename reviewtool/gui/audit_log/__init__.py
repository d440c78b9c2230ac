"""The audit log page (审计日志)."""
