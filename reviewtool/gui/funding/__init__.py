"""The 拟立项 funding list screen: the ranked list with its funding line, quotas and the plan view."""
