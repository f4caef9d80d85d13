"""API routes over the domain engines: each calls the same function as its CLI command and returns the same JSON."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError

from .jsonbody import read_one_line
from .loading import Catalog, validate_document
from .memo import per_catalog
from .models.answers import MigratePlan, UpgradePlan
from .models.common import IsoDate
from .models.report import CheckRun, Triage
from .models.sizing import SizingAnswer, SizingInputs
from .problems import InputError, Problem
from .yamlfile import LineMap, parse

if TYPE_CHECKING:
    from .api import Answers, Offload

BODY_LABEL = "<body>"


# Models whose JSON Schema documents a body the route reads itself (to report problems by line).
BODY_MODELS: dict[str, type[BaseModel]] = {}


def body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """openapi_extra for a route that parses its own body: a $ref that add_body_components() resolves."""
    BODY_MODELS[model.__name__] = model
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}}


def add_body_components(spec: dict[str, Any]) -> dict[str, Any]:
    """Put the body models (and the models they use) into the spec's components."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for name, model in BODY_MODELS.items():
        schema = model.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
        for def_name, definition in schema.pop("$defs", {}).items():
            schemas.setdefault(def_name, definition)
        schemas[name] = schema
    return spec


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _document(raw: bytes) -> tuple[Any, LineMap]:
    """A request body as parsed YAML/JSON with line numbers, so problems point into the body.

    Every route reads its body here, as files are read (duplicate keys refused, 1e3 read as text, as YAML does);
    compact JSON, what programs send, through the json module when that gives the same answer.
    """
    if not raw.strip():
        raise InputError([Problem(BODY_LABEL, None, "", "the request body is empty; send a JSON document")])
    return read_one_line(raw) or parse(raw, BODY_LABEL)


INLINE_BYTES = 4 * 1024
INLINE_COMMAS = 128
"""A body within both (at most ~200 values: a comma between each two, and at most yamlfile.MAX_DEPTH containers)
may be answered on the event loop: reading and validating it takes at most ~0.1 ms, even when it is all wrong.
Anything else goes to the workers, and so does every error, whose messages search for a did-you-mean."""

B = TypeVar("B", bound=BaseModel)


def _small_and_valid(raw: bytes, model: type[B]) -> tuple[B, LineMap] | None:
    """The body as `model` when it is small one-line JSON that validates (what the workers would make of it), else None."""
    found = read_one_line(raw) if len(raw) <= INLINE_BYTES and raw.count(b",") <= INLINE_COMMAS else None
    if found is None or not isinstance(found[0], dict):
        return None
    try:
        return model.model_validate(found[0]), found[1]
    except ValidationError:
        return None


def register(api: APIRouter, catalog: Catalog, offload: Offload, answers: Answers) -> None:
    """Add the domain routes to `api`; their work runs through `offload`, off the event loop; `answers` remembers recent ones."""
    _sizing_routes(api, catalog, offload)
    _check_routes(api, catalog, offload, answers)
    _upgrade_routes(api, catalog, offload)
    _config_routes(api, catalog, offload)


# --- sizing ------------------------------------------------------------------------------

SIZE_INPUTS = ("users", "repositories", "total_repo_size_gb", "largest_repo_gb", "largest_index_gb", "concurrent_users", "code_insights", "syntactic_code_intel", "method", "cloud")


def _sizing_routes(api: APIRouter, catalog: Catalog, offload: Offload) -> None:
    from .sizing import sizing_model_json

    sizing_model_json(catalog)  # built now, not on the first request

    @api.get("/size", response_model=SizingAnswer, response_model_exclude_unset=True, tags=["sizing"])
    async def size_get(
        users: str | None = Query(default=None, description="People who will use the instance."),
        repositories: str | None = Query(default=None, description="Repositories to index."),
        total_repo_size_gb: str | None = Query(default=None, description="Size of all repositories together, in GB."),
        largest_repo_gb: str | None = Query(default=None, description="Size of the largest repository, in GB."),
        largest_index_gb: str | None = Query(default=None, description="Largest precise code-intelligence index, in GB; 0 turns it off."),
        concurrent_users: str | None = Query(default=None, description="Users active at the same moment."),
        code_insights: str | None = Query(default=None, description="true or false (default: true)."),
        syntactic_code_intel: str | None = Query(default=None, description="true or false (default: false)."),
        method: str | None = Query(default=None, description="Deployment method id (default: the recommended one for the size).", json_schema_extra={"enum": list(catalog.methods)}),
        cloud: str | None = Query(default=None, description="aws, gcp or azure.", json_schema_extra={"enum": ["aws", "gcp", "azure"]}),
    ) -> dict[str, Any] | Response:
        """Size a deployment from query parameters: the same JSON as `refarch size --format json`."""
        given = {name: value for name, value in locals().items() if name in SIZE_INPUTS and value is not None}
        return await offload(_size_query_task, given)

    @api.post("/size", response_model=SizingAnswer, response_model_exclude_unset=True, tags=["sizing"], openapi_extra=body_schema(SizingInputs))
    async def size_post(request: Request) -> dict[str, Any] | Response:
        """Size a deployment from a JSON body (the inputs, or a requirements file with a scale: block): the same JSON as `refarch size --format json`."""
        return await offload(_size_body_task, await request.body())


# --- checking and triage -----------------------------------------------------------------


def _check_routes(api: APIRouter, catalog: Catalog, offload: Offload, answers: Answers) -> None:
    from .api import SafeJSONResponse
    from .checking import all_ids_known, check, combine
    from .models import ExceptionRequest, Requirements

    @api.post(
        "/check",
        response_model=CheckRun,
        tags=["checking"],
        openapi_extra=body_schema(Requirements),
    )
    async def check_route(request: Request, as_of: IsoDate | None = Query(default=None, description="Judge on this date (default: today, UTC).")) -> Response:
        """Check a requirements document against the support matrix: the same JSON as `refarch check --format json`.

        Stateless: exceptions are not applied here, and nothing sent is written anywhere (recent answers are kept in
        memory, to answer the same request again).
        """
        raw = await request.body()
        date = as_of or _today()
        key = ("check", date.isoformat(), raw)
        if (kept := answers.get(key)) is not None:
            return kept
        quick = _small_and_valid(raw, Requirements)
        if quick is not None and all_ids_known(catalog, quick[0]):
            # Bounded by the catalog, not by the input: each id is known and given once. About 0.1 ms, less than the hop to a worker.
            response: Response = SafeJSONResponse(combine([check(catalog, quick[0], date, [], file=BODY_LABEL, lines=quick[1])], date))
        else:
            response = await offload.json(_check_task, raw, date)
        answers.put(key, response)
        return response

    @api.post(
        "/exception/triage",
        response_model=Triage,
        tags=["checking"],
        openapi_extra=body_schema(ExceptionRequest),
    )
    async def triage_route(request: Request, as_of: IsoDate | None = Query(default=None)) -> Response:
        """Triage an exception request: the same JSON as `refarch exception triage --format json`. Writes nothing."""
        raw = await request.body()
        date = as_of or _today()
        key = ("triage", date.isoformat(), raw)
        if (kept := answers.get(key)) is not None:
            return kept
        response = await offload.json(_triage_task, raw, date)
        answers.put(key, response)
        return response


# --- upgrades and migrations -------------------------------------------------------------


def _upgrade_routes(api: APIRouter, catalog: Catalog, offload: Offload) -> None:
    @api.get("/upgrade-plan", response_model=UpgradePlan, response_model_by_alias=True, tags=["upgrades"])
    async def upgrade_route(
        from_version: str = Query(alias="from", description='The version running now, e.g. "5.9".'),
        to_version: str = Query(alias="to", description='The version to reach, e.g. "7.5", or latest (the newest release).'),
        method: str = Query(description="Deployment method id.", json_schema_extra={"enum": list(catalog.methods)}),
        postgres: str | None = Query(default=None, description="bundled, bundled-12, bundled-16 or external-VERSION."),
        strategy: Literal["fewest-steps", "least-downtime"] = Query(default="fewest-steps"),
    ) -> dict[str, Any] | Response:
        """The upgrade path between two versions: the same JSON as `refarch upgrade-plan --format json`."""
        return await offload(_upgrade_task, from_version, to_version, method, postgres, strategy)

    @api.get("/migrate-plan", response_model=MigratePlan, response_model_by_alias=True, tags=["upgrades"])
    async def migrate_route(
        from_method: str = Query(description="Deployment method id used now.", json_schema_extra={"enum": list(catalog.methods)}),
        to_method: str = Query(description="Deployment method id to move to.", json_schema_extra={"enum": list(catalog.methods)}),
        version: str | None = Query(default=None, description="Product version running now."),
    ) -> dict[str, Any] | Response:
        """The supported route between two deployment methods: the same JSON as `refarch migrate-plan --format json`."""
        return await offload(_migrate_task, from_method, to_method, version)


# --- deployment files --------------------------------------------------------------------


def _config_routes(api: APIRouter, catalog: Catalog, offload: Offload) -> None:
    from .models.deploy import ConfigFile

    @api.get("/config/{architecture}", response_model=ConfigFile, tags=["deployment"])
    async def config_route(
        architecture: str,
        version: str | None = Query(default=None, description='Product version, e.g. "7.5" (default: the architecture\'s own).'),
        cloud: str | None = Query(default=None, description="Set the storage class for this cloud.", json_schema_extra={"enum": ["aws", "gcp", "azure"]}),
    ) -> Response:
        """The override file for a reference architecture: the same JSON as `refarch config generate ARCHITECTURE --format json`."""
        from .api import NotFound

        if architecture not in catalog.architectures:
            raise NotFound("architecture", architecture, list(catalog.architectures))
        if cloud is not None and cloud not in ("aws", "gcp", "azure"):
            raise InputError([Problem("<arguments>", None, "cloud", f"unknown cloud '{cloud}'; expected one of aws, azure, gcp")])
        return await offload.json(_config_task, architecture, version, cloud)


# --- the work, done in a worker: module-level functions task(catalog, *args), so they reach a worker process by name


def _size_query_task(catalog: Catalog, given: dict[str, str]) -> dict[str, Any]:
    from .sizing import evaluate, read_inputs, sizing_model_json

    model = sizing_model_json(catalog)
    return evaluate(model, read_inputs(model, given, keys={name: name for name in SIZE_INPUTS}, parse_strings=True))


def _size_body_task(catalog: Catalog, raw: bytes) -> dict[str, Any]:
    from .sizing import document_inputs, evaluate, sizing_model_json

    model = sizing_model_json(catalog)
    data, lines = _document(raw)
    return evaluate(model, document_inputs(model, data, lines, BODY_LABEL))


def _check_task(catalog: Catalog, raw: bytes, date: dt.date) -> dict[str, Any]:
    from .checking import check, combine, requirement_problems
    from .models import Requirements

    data, lines = _document(raw)
    requirements = validate_document(data, Requirements, BODY_LABEL, lines)
    problems = requirement_problems(catalog, requirements, BODY_LABEL, lines)
    if problems:
        raise InputError(problems)
    return combine([check(catalog, requirements, date, [], file=BODY_LABEL, lines=lines)], date)


def _triage_task(catalog: Catalog, raw: bytes, date: dt.date) -> dict[str, Any]:
    from .exceptions import triage
    from .models import ExceptionRequest

    data, lines = _document(raw)
    return triage(catalog, validate_document(data, ExceptionRequest, BODY_LABEL, lines), date, file=BODY_LABEL, lines=lines)


def _upgrade_task(catalog: Catalog, from_version: str, to_version: str, method: str, postgres: str | None, strategy: str) -> dict[str, Any]:
    from .upgrades import upgrade_plan

    return upgrade_plan(catalog, from_version, to_version, method, postgres, strategy)


def _migrate_task(catalog: Catalog, from_method: str, to_method: str, version: str | None) -> dict[str, Any]:
    from .upgrades import migrate_plan

    return migrate_plan(catalog, from_method, to_method, version)


@per_catalog
def _deploy_data(catalog: Catalog) -> Any:
    """Read on first use: the data is not needed to start the server."""
    from .cli.common import default_root
    from .deploy.data import load

    return load(catalog.root or default_root())


def _config_task(catalog: Catalog, architecture: str, version: str | None, cloud: str | None) -> dict[str, Any]:
    from .deploy.generate import for_architecture

    return for_architecture(catalog, _deploy_data(catalog), architecture, version, cloud)
