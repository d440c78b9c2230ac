"""我的评审: the workspace of a 评审专家 (or 专家组长) who logs in.

- ``workspace``: their own assignments, per review stage, with their own
  sheet's state; an application's summary with the attachments the batch
  lets experts see. Nothing of any other expert (blind review).
- ``declarations``: the 回避 declaration and the 保密承诺, accepted once per
  stage before the first sheet opens; a declared conflict goes through the
  late-conflict service (``services.panels.conflicts.declare_conflict``).

Scoring itself is the score-entry window's (``services.scoring``).
"""
