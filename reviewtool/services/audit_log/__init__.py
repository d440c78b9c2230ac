"""The audit log, readable (审计日志): the records of ``services.audit`` told in a
clerk's words, filtered, and exported to Excel for 纪检 or an auditor."""
