"""Property tests generated from the OpenAPI spec: no 5xx, and every response matches its schema.

Bounded: MAX_EXAMPLES cases per operation (about 1,500 over all routes), run in-process.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from refarch.api import create_app
from refarch.loading import load_catalog

MAX_EXAMPLES = 60
CASES: Counter[str] = Counter()

app = create_app(load_catalog(Path(__file__).resolve().parents[1]))
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_spec(case: schemathesis.Case) -> None:
    CASES[f"{case.method} {case.path}"] += 1
    # Ids and versions are checked against the catalog, so a string the spec allows can still be an
    # unknown version (422 with a did-you-mean): "schema-valid data is accepted" does not hold by design.
    case.call_and_validate(excluded_checks=[schemathesis.checks.positive_data_acceptance])


def test_the_run_covered_every_route_with_enough_cases() -> None:
    """Runs after the generated tests (same module, file order): at least 1,000 cases over every operation."""
    operations = {f"{method.upper()} {path}" for path, item in app.openapi()["paths"].items() for method in item}
    assert operations <= set(CASES), operations - set(CASES)
    documented = sum(count for operation, count in CASES.items() if operation in operations)
    assert documented >= 1000, CASES
