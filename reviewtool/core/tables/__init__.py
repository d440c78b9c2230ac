"""The safe reader for the tabular workbooks people really send (``read.read_table``)."""
