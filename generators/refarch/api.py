"""The JSON API and the docs site in one process: a thin layer over the same domain functions as the CLI.

Read-only: nothing a client sends is stored. Every JSON body carries `schema_version`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import orjson
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import __version__
from .freshness import currency, freshness, is_newer, newer_than_catalog
from .lifecycle import release_statuses
from .loading import Catalog
from .matrix import SCHEMA_VERSION, require_version, support_matrix
from .models.common import VERSION_PATTERN, IsoDate
from .problems import MAX_PROBLEMS, InputError, Problem, clip, more_problems, unknown

MAX_BODY = 1024 * 1024
MAX_ERROR_BODY = 64 * 1024  # no answer to a bad request is larger than this
PREFIX = "/api/v1"
WORKERS = 2  # workers for CPU-bound work (check, triage, size, plans): threads, or processes when serving
WORKER_NICE = 10  # worker processes run at a lower priority than the event loop
TIME_LIMIT = 5.0  # seconds a request may take in a worker (waiting included) before it gets a 503
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
MEMO_BODY = 16 * 1024  # bodies up to this size have their answers remembered (see Answers)
MEMO_ENTRIES = 256
MEMO_BYTES = 2 * 1024 * 1024


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
    422: {
        "model": ErrorBody,
        "description": f"Invalid input, with the location of each problem: the first {MAX_PROBLEMS}, then a count of the rest; never over 64 KiB.",
    },
    503: {
        "model": ErrorBody,
        "description": f"The request took longer than {TIME_LIMIT:g} s (waiting for a worker included); the answer says so. Try again later.",
    },
}


class SafeJSONResponse(JSONResponse):
    """FastAPI's JSON, rendered by orjson (a fifteenth of the time), except that text Python holds but UTF-8 cannot
    (a lone surrogate) becomes U+FFFD, never a 500.

    Whatever orjson would write differently from the json module goes to the json module, as before: a lone
    surrogate, an integer past 64 bits, a key that is not text, a type json refuses (date, dataclass). What is left
    is the same bytes, except a float below 10^-4 (orjson writes 0.00001 where json writes 1e-05), and NaN or
    infinity, which json refuses and orjson writes as null (none reaches an answer: numbers are bounded where read).
    """

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content, default=_plain_float, option=orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME)
        except TypeError:  # orjson.JSONEncodeError is a TypeError
            return json.dumps(content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode("utf-8", errors="replace")


def _plain_float(value: Any) -> float:
    """orjson writes floats, not their subclasses (yamlfile.RawFloat): the value as a float; anything else is refused."""
    if isinstance(value, float):
        return float(value)
    raise TypeError


class Answers:
    """The latest answers of the routes that read a body, by request, so a request sent again is answered from memory.

    A pipeline that checks its committed requirements file on every run, a dashboard polling the same documents,
    a client retrying: the answer is a function of the catalog (fixed while serving), the body and the date, all in
    the key. Only small bodies are kept (a large one is rarely sent twice); at most `entries` answers and `limit`
    bytes, the least recently used dropped first. Used from the event loop only, so it needs no lock.
    """

    def __init__(self, entries: int = MEMO_ENTRIES, limit: int = MEMO_BYTES):
        self.entries = entries
        self.limit = limit
        self.size = 0
        self.kept: OrderedDict[tuple[str, str, bytes], tuple[int, bytes]] = OrderedDict()

    def get(self, key: tuple[str, str, bytes]) -> Response | None:
        kept = self.kept.get(key)
        if kept is None:
            return None
        self.kept.move_to_end(key)
        return Response(kept[1], status_code=kept[0], media_type="application/json")

    def put(self, key: tuple[str, str, bytes], response: Response) -> None:
        cost = len(key[2]) + len(response.body)
        if len(key[2]) > MEMO_BODY or cost > self.limit or key in self.kept:
            return
        self.kept[key] = (response.status_code, bytes(response.body))
        self.size += cost
        while len(self.kept) > self.entries or self.size > self.limit:
            (_, _, body), (_, answer) = self.kept.popitem(last=False)
            self.size -= len(body) + len(answer)


class Busy(Exception):
    """A request that ran past TIME_LIMIT."""


class NotFound(Exception):
    def __init__(self, what: str, value: str, known: list[str], message: str | None = None):
        self.message = message or unknown(what, value, known)


def _error(status: int, error: str, details: list[ErrorDetail], omitted: int = 0, omitted_loc: str = "body") -> JSONResponse:
    """An error answer; details past MAX_ERROR_BODY are dropped and counted, so it stays small whatever the input."""
    while True:
        shown = [*details, ErrorDetail(loc=omitted_loc, message=more_problems(omitted))] if omitted else details
        response = SafeJSONResponse(ErrorBody(status=status, error=error, errors=shown).model_dump(), status_code=status)
        if len(response.body) <= MAX_ERROR_BODY or not details:
            return response
        keep = max(0, len(details) * MAX_ERROR_BODY // len(response.body) - 1)
        omitted += len(details) - keep
        omitted_loc = details[keep].loc
        details = details[:keep]


def _loc(problem: Problem) -> str:
    if problem.file == "<arguments>":
        return problem.key
    return f"{problem.file}:{problem.line}" + (f": {problem.key}" if problem.key else "") if problem.line else problem.file


def _input_error(error: InputError) -> JSONResponse:
    details = [ErrorDetail(loc=_loc(problem), message=problem.message) for problem in error.shown]
    omitted_loc = _loc(error.first_omitted) if error.first_omitted else "body"
    return _error(422, "invalid input", details, error.omitted, omitted_loc or "query")


def run_task(rendered: bool, task: Callable[..., Any], catalog: Catalog, args: tuple[Any, ...]) -> tuple[int | None, Any]:
    """In a worker: (None, answer) for FastAPI to shape by the route's response model, or (status, JSON bytes): the
    answer rendered here or the 422 for its InputError, so the event loop only sends bytes. Picklable either way."""
    try:
        answer = task(catalog, *args)
    except InputError as error:
        response: Response = _input_error(error)
    else:
        if not rendered:
            return None, answer
        response = SafeJSONResponse(answer)
    return response.status_code, bytes(response.body)


_worker_catalog: list[Catalog] = []  # in a worker process: the catalog it was started with


def _start_worker(catalog: Catalog, server: int) -> None:
    _worker_catalog[:] = [catalog]
    os.nice(WORKER_NICE)
    threading.Thread(target=_end_with, args=(server,), name="refarch-watch", daemon=True).start()


def _end_with(server: int) -> None:
    """A worker process ends within a second of the server, however the server ended (killed outright, it tells no one)."""
    while _running(server):
        time.sleep(1)
    os._exit(0)


def _running(pid: int) -> bool:
    """Whether the process runs: not gone, and not a zombie its parent has yet to collect (which signal 0 cannot tell)."""
    if not os.path.isdir("/proc/self"):  # not Linux: signal 0 tells whether it exists
        return _signal_reaches(pid)
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def _signal_reaches(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process took the number
        return False
    return True


def _run_in_worker(rendered: bool, task: Callable[..., Any], args: tuple[Any, ...]) -> tuple[int | None, Any]:
    return run_task(rendered, task, _worker_catalog[0], args)


class Offload:
    """Runs the engine's CPU-bound work in a few workers with a time limit, so the event loop (and /health) stays free.

    `refarch serve` uses processes: C code such as the YAML parser holds a thread's GIL for tens of milliseconds
    at a time, which stalls the event loop of the same process; a process shares no GIL, and its lower priority
    (nice 10) leaves the CPU to the event loop. Threads (the default) serve in-process clients such as tests.
    A task is a module-level function task(catalog, *args), so it reaches a process by name. Work past the limit
    finishes in the background, but at most `workers` run at once, and queued work whose request has already had
    its 503 never starts.
    """

    def __init__(self, catalog: Catalog, workers: int = WORKERS, time_limit: float = TIME_LIMIT, processes: bool = False):
        self.catalog = catalog
        self.workers = workers
        self.time_limit = time_limit
        self.processes = processes
        self.executor: Executor | None = None

    async def __call__(self, task: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any] | Response:
        """What the task returns, for FastAPI to shape by the route's response model (or the 422 for its input error)."""
        answer: dict[str, Any] | Response = await self._run(False, task, args)
        return answer

    async def json(self, task: Callable[..., dict[str, Any]], *args: Any) -> Response:
        """The task's answer as JSON as it stands (or the 422 for its input error)."""
        answer: Response = await self._run(True, task, args)
        return answer

    async def start(self) -> None:
        """Start the worker processes now, not on the first request (a process pool only)."""
        if self.processes:
            await asyncio.gather(*(self._run(False, _ready, ()) for _ in range(self.workers)))

    async def _run(self, rendered: bool, task: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        loop = asyncio.get_running_loop()
        if self.executor is None:  # made on first use, and again after a shutdown (each lifespan of the app)
            self.executor = self._executor()
        try:
            if isinstance(self.executor, ProcessPoolExecutor):
                future = loop.run_in_executor(self.executor, _run_in_worker, rendered, task, args)
            else:
                future = loop.run_in_executor(self.executor, run_task, rendered, task, self.catalog, args)
            status, answer = await asyncio.wait_for(future, self.time_limit)
        except TimeoutError:
            raise Busy from None
        except BrokenProcessPool:  # a worker died (killed, out of memory): start new ones for the next request
            self.close()
            raise Busy from None
        return answer if status is None else Response(answer, status_code=status, media_type="application/json")

    def _executor(self) -> Executor:
        if not self.processes:
            return ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="refarch-api")
        import multiprocessing

        # forkserver: each worker starts from a clean process with refarch imported, not from a copy of this one
        # (which holds client connections and threads); the catalog is sent to each worker once.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["refarch.api_routes"])
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=context, initializer=_start_worker, initargs=(self.catalog, os.getpid()))

    def close(self) -> None:
        if self.executor is not None:
            # Processes: wait until they have ended, as uvicorn ends the server by re-raising the signal it stopped on,
            # after which nothing would tell them (a worker busy with a request finishes it first).
            self.executor.shutdown(wait=isinstance(self.executor, ProcessPoolExecutor), cancel_futures=True)
            self.executor = None


def _ready(_: Catalog) -> None:
    """A task that does nothing: it makes a worker process start."""


class LimitBody:
    """413 for a body over MAX_BODY, declared or streamed (plain ASGI: no extra event-loop turns per request)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
            message = f"the body is {int(declared):,} bytes; the limit is {MAX_BODY:,} (1 MiB)"
            await _error(413, "request body too large", [ErrorDetail(loc="body", message=message)])(scope, receive, send)
            return
        if declared is not None or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []  # no length given (chunked): read it here, up to the limit
        size = 0
        while True:
            received = await receive()
            if received["type"] == "http.disconnect":
                return
            chunks.append(received.get("body", b""))
            size += len(chunks[-1])
            if size > MAX_BODY:
                await _error(413, "request body too large", [ErrorDetail(loc="body", message=f"the body is over {MAX_BODY:,} bytes (1 MiB)")])(scope, receive, send)
                return
            if not received.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)


class HeadAsGet:
    """HEAD on an API route answers as GET would, without the body (the site's static files handle HEAD themselves)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD" or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


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


def create_app(catalog: Catalog, site_dir: Path | None = None, workers: int = WORKERS, time_limit: float = TIME_LIMIT, processes: bool = False) -> FastAPI:
    """The app over an already loaded and validated catalog; `site_dir` is the built docs site to serve at /.

    CPU-bound routes run on `workers` threads (or processes), each request for at most `time_limit` seconds (then 503).
    """
    from .site import catalog_version

    version = catalog_version(catalog)
    cadence = found.as_dict() if (found := freshness(catalog).cadence) else None
    offload = Offload(catalog, workers, time_limit, processes)
    answers = Answers()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> Any:
        await offload.start()
        yield
        offload.close()

    app = FastAPI(
        default_response_class=SafeJSONResponse,
        lifespan=lifespan,
        title="refarch API",
        version=__version__,
        summary=f"What is supported for self-hosted {catalog.product.name}, at what size, and how to get there.",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,  # served below from local files: the default page loads Swagger UI from another host
        redoc_url=None,
    )
    _api_docs(app)

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
        if error.status_code == 405 or (error.status_code == 404 and _allowed(app, request.scope)):
            allowed = _allowed(app, request.scope)
            method = clip(request.method)
            response = _error(405, "method not allowed", [ErrorDetail(loc="method", message=f"{method} is not allowed at {clip(request.url.path)}; use {' or '.join(allowed)}")])
            response.headers["Allow"] = ", ".join(allowed)
            return response
        if error.status_code == 404:
            return _error(404, "not found", [ErrorDetail(loc="path", message=_no_route(app, request.url.path))])
        return _error(error.status_code, str(error.detail), [])

    @app.exception_handler(Busy)
    async def on_busy(_: Request, error: Busy) -> JSONResponse:
        message = f"the request took longer than {offload.time_limit:g} s (waiting for a worker included), the limit; try again later, or send a smaller request"
        response = _error(503, "service unavailable", [ErrorDetail(loc="server", message=message)])
        response.headers["Retry-After"] = "1"
        return response

    @app.exception_handler(Exception)
    async def on_crash(_: Request, error: Exception) -> JSONResponse:  # never a traceback in a response
        return _error(500, "internal error", [ErrorDetail(loc="server", message="the server could not answer this request; it has been logged")])

    api = APIRouter(prefix=PREFIX, responses=ERRORS)

    @api.get("/health", response_model=Health, tags=["service"])
    async def health() -> Health:  # async: answered on the event loop, never queued behind CPU-bound work
        """Liveness: the catalog is loaded and valid."""
        return Health(status="ok", product=catalog.product.id, catalog_version=version, refarch_version=__version__)

    # The engines' routes come next: the router tries each route in order, and these take most of the traffic.
    _register_domain_routes(api, catalog, offload, answers)

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


    @api.get("/matrix", response_model=dict[str, Any], tags=["catalog"])
    async def matrix(
        version: str | None = Query(default=None, description='Product version, e.g. "7.5" (default: the latest).'),
        method: str | None = Query(default=None, description="Only this deployment method.", json_schema_extra={"enum": list(catalog.methods)}),
        as_of: IsoDate | None = Query(default=None),
    ) -> Response:
        """The support matrix for a product version: the same JSON as `refarch matrix --format json`."""
        chosen = catalog.releases.releases[-1].version if version is None else version  # an empty version is an error, as in the CLI
        return await offload.json(_matrix_task, chosen, as_of or _today(), method)

    for segment, (attribute, singular) in ENTITY_KINDS.items():
        _entity_routes(api, catalog, segment, attribute, singular)
    app.include_router(api)
    app.state.offload = offload  # its time limit can be changed while serving (a test does)
    app.state.routes = [route for route in [*api.routes, *app.router.routes] if isinstance(route, Route)]  # before the fallbacks below
    # Anything else under /api/v1 is a JSON 404 (or 405) here, before the site's static files could answer with HTML.
    app.router.routes.append(Route(f"{PREFIX}/{{rest:path}}", _NoApiRoute(), include_in_schema=False))
    app.router.routes.append(Route(PREFIX, _NoApiRoute(), include_in_schema=False))
    app.add_middleware(HeadAsGet)
    app.add_middleware(LimitBody)
    _document_bodies(app)

    if site_dir is not None and (site_dir / "index.html").is_file():
        app.mount("/", StaticFiles(directory=site_dir, html=True), name="site")
    else:

        @app.get("/", include_in_schema=False)
        def no_site() -> RedirectResponse:
            return RedirectResponse(f"{PREFIX}/docs")

    return app


def _matrix_task(catalog: Catalog, version: str, as_of: dt.date, method: str | None) -> dict[str, Any]:
    require_version(catalog, version)
    return support_matrix(catalog, version, as_of, method)


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


def _register_domain_routes(api: APIRouter, catalog: Catalog, offload: Offload, answers: Answers) -> None:
    """Routes over the sizing, checking and upgrade engines, each present once its module exists."""
    from . import api_routes

    api_routes.register(api, catalog, offload, answers)


class _NoApiRoute:
    """The last route under /api/v1 (an ASGI app, so it takes every method): a JSON 404, or a 405 where the path exists."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise StarletteHTTPException(404)


def _allowed(app: FastAPI, scope: Scope) -> list[str]:
    """The methods some route takes at this path (HEAD wherever GET is); the site's files take GET and HEAD."""
    methods: set[str] = set()
    for route in app.state.routes:
        if route.methods and route.matches(scope)[0] != Match.NONE:
            methods |= route.methods
    if not methods and not scope["path"].startswith(PREFIX):
        methods = {"GET"}
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def _no_route(app: FastAPI, path: str) -> str:
    """'no API route at /api/v1/methds/helm; did you mean /api/v1/methods/helm? ...', from the routes themselves."""
    if not path.startswith(PREFIX):
        return f"no page or API route at {clip(path)}"
    import difflib

    asked = path[len(PREFIX) :].strip("/").split("/")
    best, suggestion = 0.6, ""  # difflib's usual cutoff (reached or passed)
    for route in app.state.routes:
        if isinstance(route, APIRoute) and route.include_in_schema and route.path.startswith(PREFIX + "/"):
            parts = route.path[len(PREFIX) + 1 :].split("/")
            fixed = [i for i, part in enumerate(parts) if not part.startswith("{")]
            if len(parts) != len(asked) or len(path) > 300:  # a path of another shape, or too long to be a typo
                continue
            # Compare the fixed words only: 'methds/helm' is close to 'methods/{id}', 'nothing/here' is not close to 'options/{id}'.
            ratio = difflib.SequenceMatcher(None, "/".join(asked[i] for i in fixed), "/".join(parts[i] for i in fixed)).ratio()
            if ratio > best or (ratio == best and not suggestion):
                best, suggestion = ratio, "/".join(part if i in fixed else asked[i] for i, part in enumerate(parts))
    hint = f"; did you mean {PREFIX}/{suggestion}?" if suggestion else "."
    return f"no API route at {clip(path)}{hint} Every route is listed at {PREFIX}/docs"

