"""Calls for applications (申报批次): creating, editing, closing and reopening
a batch, its review rules, and how far its review has come.

- ``batch``: ``create_batch``, ``update_batch``, ``close_batch``,
  ``reopen_batch`` (each audited, each returning ``Changes``), the list
  (``batch_rows``) and one batch's detail (``batch_detail``), and the one
  ``find_batch`` every feature uses to look a batch up by name or id.
- ``list_open_batches(session)`` (in ``batch``) is the list an import
  offers: open batches only, newest first, as plain ``BatchRow``s. The
  import dialog asks which of them to use (or to create a new one) rather
  than pre-filling last year's.
- ``stage``: whether the batch's panels are all finalised; documents made
  before that are drafts (未定稿) and their exports warn first.
- ``rules_of(batch)`` (in ``batch``): the batch's ``core.batches.BatchRules``
  (pass mark, minimum sheets, trimmed-mean minimum, spread threshold) as
  ranking, funding and the panel results read them.
"""
