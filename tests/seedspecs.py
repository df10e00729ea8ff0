"""Load the OpenAPI schemas of the seed reference pages kept in ``tests/data/seeds``.

The files are the reference pages byte for byte: prose around a YAML document, sometimes in a
code fence. These helpers cut the YAML out and turn OpenAPI 3.0 schemas into JSON Schema.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SEEDS = Path(__file__).parent / "data" / "seeds"
SILICONFLOW = SEEDS / "siliconflow-user-info.txt"
RELAY = SEEDS / "relay-user-self.txt"


def _yaml_text(raw: str) -> str:
    lines = raw.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("openapi:"))
    out: list[str] = []
    for line in lines[start:]:
        if line.startswith("```") or line.startswith("````"):
            break
        out.append(line)
    return "\n".join(out)


@cache
def load_spec(path: Path) -> dict[str, Any]:
    spec = yaml.safe_load(_yaml_text(path.read_text(encoding="utf-8")))
    assert isinstance(spec, dict)
    return spec


def to_json_schema(schema: Any, spec: dict[str, Any]) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema: resolve $ref, drop vendor keys, map nullable."""
    if isinstance(schema, list):
        return [to_json_schema(s, spec) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/")
        target: Any = spec
        for part in ref[2:].split("/"):
            target = target[part]
        return to_json_schema(copy.deepcopy(target), spec)
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key.startswith("x-") or key in ("example", "deprecated"):
            continue
        if key == "properties":
            out[key] = {k: to_json_schema(v, spec) for k, v in value.items()}
        else:
            out[key] = to_json_schema(value, spec)
    if out.pop("nullable", False) and "type" in out:
        out["type"] = [out["type"], "null"]
    return out


def response_schema(path: Path, api_path: str, status: str) -> dict[str, Any]:
    spec = load_spec(path)
    response = spec["paths"][api_path]["get"]["responses"][status]
    schema = response["content"]["application/json"]["schema"]
    result = to_json_schema(schema, spec)
    assert isinstance(result, dict)
    return result


def siliconflow_schema(status: str = "200") -> dict[str, Any]:
    return response_schema(SILICONFLOW, "/user/info", status)


def relay_schema() -> dict[str, Any]:
    return response_schema(RELAY, "/api/user/self", "200")
