"""Property-based tests of the whole API against its own OpenAPI schema (schemathesis, in-process,
grounded backend): whatever a client sends, no answer is a 5xx, every status is documented, and
every documented answer matches its schema and content type. Bounded: a few examples per
operation, no shrinking."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from web_fixtures import web_settings

from coach.api import create_app

EXAMPLES = 5
# The app's SQLite file lives as long as the test process (schemathesis keeps the app running).
_FOLDER = tempfile.TemporaryDirectory(prefix="coach-schema-")
_APP = create_app(
    web_settings(
        Path(_FOLDER.name),
        backend="grounded",
        rate_per_session=1_000_000,
        rate_per_address=1_000_000,
    )
)
schema = schemathesis.openapi.from_asgi("/openapi.json", _APP)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_schema_and_never_fails(case: schemathesis.Case) -> None:
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ]
    )
