"""The batch dashboard page (批次进度)."""
