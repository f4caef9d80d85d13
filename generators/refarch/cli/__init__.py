"""The refarch command line: a thin layer over the domain modules.

Exit codes: 0 success; 1 a check did not pass (see each command); 2 invalid input or usage.
"""

from __future__ import annotations

import sys

from .common import main

__all__ = ["main", "run"]


def run() -> None:  # pragma: no cover - the console script entry point
    main(prog_name="refarch")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
