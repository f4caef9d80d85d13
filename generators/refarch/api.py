"""The JSON API and the docs site in one process: a thin layer over the same domain functions as the CLI.

Read-only: nothing a client sends is stored. Every JSON body carries `schema_version`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import __version__
from .freshness import currency, freshness, is_newer, newer_than_catalog
from .lifecycle import release_statuses
from .loading import Catalog
from .matrix import SCHEMA_VERSION, require_version, support_matrix
from .models.common import VERSION_PATTERN, IsoDate
from .problems import InputError, unknown

MAX_BODY = 1024 * 1024
PREFIX = "/api/v1"




# --- response shapes --------------------------------------------------------------------


class ErrorDetail(BaseModel):
    loc: str = Field(description="Where the problem is: a query parameter, a body path, or file:line for documents.")
    message: str


class ErrorBody(BaseModel):
    schema_version: int = SCHEMA_VERSION
    status: int
    error: str
    errors: list[ErrorDetail] = Field(default_factory=list)


class Health(BaseModel):
    schema_version: int = SCHEMA_VERSION
    status: str
    product: str
    catalog_version: str
    refarch_version: str


class EntityList(BaseModel):
    schema_version: int = SCHEMA_VERSION
    kind: str
    count: int
    items: list[dict[str, Any]]


class EntityBody(BaseModel):
    schema_version: int = SCHEMA_VERSION
    kind: str
    item: dict[str, Any]


ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Unknown id; the message offers the closest known id."},
    413: {"model": ErrorBody, "description": "Request body over 1 MiB."},
    422: {"model": ErrorBody, "description": "Invalid input, with the location of each problem."},
}


class NotFound(Exception):
    def __init__(self, what: str, value: str, known: list[str], message: str | None = None):
        self.message = message or unknown(what, value, known)


def _error(status: int, error: str, details: list[ErrorDetail]) -> JSONResponse:
    return JSONResponse(ErrorBody(status=status, error=error, errors=details).model_dump(), status_code=status)


def _input_error(error: InputError) -> JSONResponse:
    details = []
    for problem in error.problems:
        if problem.file == "<arguments>":
            loc = problem.key
        else:
            loc = f"{problem.file}:{problem.line}" + (f": {problem.key}" if problem.key else "") if problem.line else problem.file
        details.append(ErrorDetail(loc=loc, message=problem.message))
    return _error(422, "invalid input", details)


# --- the application ---------------------------------------------------------------------

# Entity routes: URL segment -> (Catalog attribute, singular name for messages).
ENTITY_KINDS: dict[str, tuple[str, str]] = {
    "methods": ("methods", "deployment method"),
    "platforms": ("platforms", "platform"),
    "services": ("services", "service"),
    "external-services": ("external_services", "external service"),
    "providers": ("providers", "provider"),
    "options": ("options", "option"),
    "sizes": ("sizes", "size"),
    "architectures": ("architectures", "architecture"),
}


def create_app(catalog: Catalog, site_dir: Path | None = None) -> FastAPI:
    """The app over an already loaded and validated catalog; `site_dir` is the built docs site to serve at /."""
    from .site import catalog_version

    version = catalog_version(catalog)
    cadence = found.as_dict() if (found := freshness(catalog).cadence) else None
    app = FastAPI(
        title="refarch API",
        version=__version__,
        summary=f"What is supported for self-hosted {catalog.product.name}, at what size, and how to get there.",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,  # served below from local files: the default page loads Swagger UI from another host
        redoc_url=None,
    )
    _api_docs(app)

    @app.middleware("http")
    async def limit_body(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
            return _error(413, "request body too large", [ErrorDetail(loc="body", message=f"the body is {int(declared):,} bytes; the limit is {MAX_BODY:,} (1 MiB)")])
        if request.method in ("POST", "PUT", "PATCH") and declared is None:
            body = b""
            async for chunk in request.stream():
                body += chunk
                if len(body) > MAX_BODY:
                    return _error(413, "request body too large", [ErrorDetail(loc="body", message=f"the body is over {MAX_BODY:,} bytes (1 MiB)")])
            request._body = body  # already read: let the route see it
        return await call_next(request)

    @app.exception_handler(InputError)
    async def on_input_error(_: Request, error: InputError) -> JSONResponse:
        return _input_error(error)

    @app.exception_handler(NotFound)
    async def on_not_found(_: Request, error: NotFound) -> JSONResponse:
        return _error(404, "not found", [ErrorDetail(loc="path", message=error.message)])

    @app.exception_handler(RequestValidationError)
    async def on_validation(_: Request, error: RequestValidationError) -> JSONResponse:
        details = [ErrorDetail(loc=".".join(str(p) for p in item["loc"]), message=item["msg"]) for item in error.errors()]
        return _error(422, "invalid input", details)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 400:  # FastAPI could not parse the body: an input problem like any other
            return _error(422, "invalid input", [ErrorDetail(loc="body", message="the body is not valid JSON; send a JSON document")])
        if error.status_code == 405:
            allowed = sorted({m for r in app.routes if isinstance(r, APIRoute) and r.path == request.url.path for m in (r.methods or ())})
            response = _error(405, "method not allowed", [ErrorDetail(loc="method", message=f"{request.method} is not allowed here; use {' or '.join(allowed)}")])
            response.headers["Allow"] = ", ".join(allowed)
            return response
        if error.status_code == 404:
            return _error(404, "not found", [ErrorDetail(loc="path", message=f"no page or API route at {request.url.path}")])
        return _error(error.status_code, str(error.detail), [])

    @app.exception_handler(Exception)
    async def on_crash(_: Request, error: Exception) -> JSONResponse:  # never a traceback in a response
        return _error(500, "internal error", [ErrorDetail(loc="server", message="the server could not answer this request; it has been logged")])

    api = APIRouter(prefix=PREFIX, responses=ERRORS)

    @api.get("/health", response_model=Health, tags=["service"])
    def health() -> Health:
        """Liveness: the catalog is loaded and valid."""
        return Health(status="ok", product=catalog.product.id, catalog_version=version, refarch_version=__version__)

    @api.get("/releases", tags=["catalog"])
    def releases(as_of: IsoDate | None = Query(default=None, description="Judge status on this date (default: today, UTC).")) -> dict[str, Any]:
        """Every release with its support status on a date."""
        date = as_of or _today()
        items = [s.as_dict() for s in release_statuses(catalog, date)]
        return {"schema_version": SCHEMA_VERSION, "as_of": date.isoformat(), "catalog": currency(catalog), "release_cadence": cadence, "items": items}

    @api.get("/releases/{version}", tags=["catalog"])
    def release(version: str, as_of: IsoDate | None = Query(default=None)) -> dict[str, Any]:
        """One release with its support status on a date."""
        date = as_of or _today()
        statuses = {s.version: s for s in release_statuses(catalog, date)}
        if version not in statuses:
            newer = newer_than_catalog(catalog, version) if VERSION_PATTERN.match(version) and "." in version and is_newer(catalog, version) else None
            raise NotFound("release", version, list(statuses), newer)
        return {"schema_version": SCHEMA_VERSION, "as_of": date.isoformat(), "catalog": currency(catalog), "item": statuses[version].as_dict()}

    for segment, (attribute, singular) in ENTITY_KINDS.items():
        _entity_routes(api, catalog, segment, attribute, singular)

    @api.get("/matrix", tags=["catalog"])
    def matrix(
        version: str | None = Query(default=None, description='Product version, e.g. "7.5" (default: the latest).'),
        method: str | None = Query(default=None, description="Only this deployment method.", json_schema_extra={"enum": list(catalog.methods)}),
        as_of: IsoDate | None = Query(default=None),
    ) -> dict[str, Any]:
        """The support matrix for a product version: the same JSON as `refarch matrix --format json`."""
        chosen = version or catalog.releases.releases[-1].version
        require_version(catalog, chosen)
        return support_matrix(catalog, chosen, as_of or _today(), method)

    _register_domain_routes(api, catalog)
    app.include_router(api)
    _document_bodies(app)

    if site_dir is not None and (site_dir / "index.html").is_file():
        app.mount("/", StaticFiles(directory=site_dir, html=True), name="site")
    else:

        @app.get("/", include_in_schema=False)
        def no_site() -> RedirectResponse:
            return RedirectResponse(f"{PREFIX}/docs")

    return app


def _api_docs(app: FastAPI) -> None:
    """Swagger UI at /api/v1/docs with its script, stylesheet and icon served by this app, so it works offline."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse

    from .vendor import swagger_ui_dir

    assets = f"{PREFIX}/docs-assets"
    app.mount(assets, StaticFiles(directory=swagger_ui_dir()), name="docs-assets")

    @app.get(f"{PREFIX}/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=f"{PREFIX}/openapi.json",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon.png",
        )


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _entity_routes(api: APIRouter, catalog: Catalog, segment: str, attribute: str, singular: str) -> None:
    def list_entities() -> EntityList:
        items = [entity.model_dump(mode="json", by_alias=True) for entity in getattr(catalog, attribute).values()]
        return EntityList(kind=segment, count=len(items), items=items)

    def one_entity(entity_id: str) -> EntityBody:
        pool = getattr(catalog, attribute)
        if entity_id not in pool:
            raise NotFound(singular, entity_id, list(pool))
        return EntityBody(kind=segment, item=pool[entity_id].model_dump(mode="json", by_alias=True))

    list_entities.__doc__ = f"Every {singular} in the catalog, in id order."
    one_entity.__doc__ = f"One {singular} by id."
    api.add_api_route(f"/{segment}", list_entities, methods=["GET"], response_model=EntityList, tags=["catalog"], name=f"list_{attribute}")
    api.add_api_route(f"/{segment}/{{entity_id}}", one_entity, methods=["GET"], response_model=EntityBody, tags=["catalog"], name=f"get_{attribute}")


def _document_bodies(app: FastAPI) -> None:
    """Routes that parse their own bodies (for line-numbered problems) still publish the body's schema."""
    from .api_routes import add_body_components

    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_body_components(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _register_domain_routes(api: APIRouter, catalog: Catalog) -> None:
    """Routes over the sizing, checking and upgrade engines, each present once its module exists."""
    from . import api_routes

    api_routes.register(api, catalog)
