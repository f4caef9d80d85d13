"""JSON Schemas generated from the models, committed under catalog/schema/ for editors and API users."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from .loading import KINDS
from .yamlfile import dumps_json

SCHEMA_DIR = "catalog/schema"


def schema_models() -> dict[str, type[BaseModel]]:
    """Schema name -> model, for every file kind refarch reads."""
    models: dict[str, type[BaseModel]] = {kind.schema: kind.model for kind in KINDS}
    models.update(_extra_models())
    return dict(sorted(models.items()))


def _extra_models() -> dict[str, type[BaseModel]]:
    """Input documents other than catalog files (requirements, exception records, ...)."""
    from .models import extra_schemas

    return extra_schemas()


def render_schema(name: str, model: type[BaseModel]) -> str:
    schema: dict[str, Any] = model.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"{name}.schema.json"
    return dumps_json(schema)


def render_all() -> dict[str, str]:
    """File name -> content for every schema."""
    return {f"{name}.schema.json": render_schema(name, model) for name, model in schema_models().items()}
