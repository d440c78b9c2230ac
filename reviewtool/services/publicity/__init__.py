"""公示 and 异议 / 复审: the published list frozen when the notice opens, the
objection register with every step audited, an upheld objection sent to a
复审 stage, and the final decisions when the notice closes."""
