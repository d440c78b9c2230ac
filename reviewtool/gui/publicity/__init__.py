"""The 公示 and objections page (公示与异议)."""
