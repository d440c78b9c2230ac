"""The batch dashboard (批次进度): where a call stands, step by step, what to do
next, and the reminder list of experts with sheets due or overdue."""
