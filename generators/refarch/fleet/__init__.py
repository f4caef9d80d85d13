"""Fleet figures and support diffs: who runs what, how far behind, and what a catalog change means for them.

`inventory` reads check-ins into an embedded DuckDB table (the only I/O); `report` computes the figures
from that table and the catalog; `diff` compares two catalogs.
"""
