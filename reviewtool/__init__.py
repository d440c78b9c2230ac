"""reviewtool — project application intake, expert review and funding lists
for the Science and Technology Bureau of Haidong City (海东市科技局).

Layers: ``core`` (plain domain and maths) < ``storage`` (SQLAlchemy models,
migrations, sessions) < ``services`` (use cases) < ``cli`` and ``gui``.
Only ``reviewtool.gui`` imports Qt.
"""

__version__ = "0.1.0"
