"""The refarch command line: a thin layer over the domain modules.

Exit codes: 0 success; 1 a check did not pass (see each command); 2 invalid input or usage.
"""

from __future__ import annotations

import sys

# Each module registers its commands on `main` when imported.
from . import catalog as _catalog  # noqa: E402,F401
from . import check as _check  # noqa: E402,F401
from . import exception as _exception  # noqa: E402,F401
from . import serve as _serve  # noqa: E402,F401
from . import site as _site  # noqa: E402,F401
from . import upgrade as _upgrade  # noqa: E402,F401
from . import size as _size  # noqa: E402,F401
from .common import main

__all__ = ["main", "run"]


def run() -> None:  # pragma: no cover - the console script entry point
    main(prog_name="refarch")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
