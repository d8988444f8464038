"""Strict checks of Kubernetes manifests without a cluster, against the ``kubernetes`` Python client's models.

``check_manifest_file(path)`` parses every document of a YAML file and validates each object against the model of
its apiVersion/kind (``V1Deployment``, ``V1Service``, ``V1NetworkPolicy``...): unknown keys are refused (the
models would drop them silently, as ``kubectl apply`` would with a typo such as ``readOnlyRootFileSystem``), then
the model itself checks types and required fields. Each problem names the file, line and column.

    python -m commons_hub.kubernetes_manifests deploy/kubernetes/commons
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import kubernetes.client as k8s
import pydantic
import yaml

from commons_kernel.exceptions import ValidationFailed

_LIST = re.compile(r"^List\[(.+)\]$")
_DICT = re.compile(r"^Dict\[str, (.+)\]$")
# Files in a manifests folder that are not Kubernetes objects, checked by their own rules.
NOT_OBJECTS = {"kustomization.yaml"}
# {path of a key or item in a YAML document: (line, column)}, 1-based.
Positions = dict[tuple, tuple[int, int]]


@dataclass(frozen=True)
class Problem:
    file: Path
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


def model_for(api_version: str, kind: str):
    """The client's model class of an object, e.g. ('apps/v1', 'Deployment') -> V1Deployment."""
    version = api_version.rsplit("/", 1)[-1]
    name = version[:1].upper() + version[1:] + kind
    model = getattr(k8s, name, None)
    if model is None or not hasattr(model, "openapi_types"):
        return None
    return model


def _positions(node, path=(), out=None) -> Positions:
    """{path: (line, column)} of every key and item of a composed YAML node (1-based)."""
    out = {} if out is None else out
    out.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = path + (key.value,)
            out[child] = (key.start_mark.line + 1, key.start_mark.column + 1)
            _positions(value, child, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _positions(item, path + (index,), out)
    return out


def unknown_keys(data, model, path=()) -> list[tuple[tuple, str]]:
    """(path, message) for every key the model does not define, at any depth."""
    found: list[tuple[tuple, str]] = []
    if not isinstance(data, dict):
        return found
    by_json = {json_key: attr for attr, json_key in model.attribute_map.items()}
    for key, value in data.items():
        if key not in by_json:
            allowed = ", ".join(sorted(by_json))
            found.append((path + (key,), f"unknown key {key!r} in {model.__name__} (allowed: {allowed})"))
            continue
        found += _walk(value, model.openapi_types[by_json[key]], path + (key,))
    return found


def _walk(value, type_name: str, path: tuple) -> list:
    if value is None:
        return []
    if match := _LIST.match(type_name):
        return [
            p
            for i, item in enumerate(value if isinstance(value, list) else [])
            for p in _walk(item, match.group(1), path + (i,))
        ]
    if match := _DICT.match(type_name):
        return [
            p
            for key, item in (value.items() if isinstance(value, dict) else [])
            for p in _walk(item, match.group(1), path + (key,))
        ]
    model = getattr(k8s, type_name, None)
    if model is not None and hasattr(model, "attribute_map"):
        return unknown_keys(value, model, path)
    return []


def check_object(doc: dict, file: Path, positions: Positions) -> list[Problem]:
    def at(path, message):
        while path and path not in positions:
            path = path[:-1]
        line, column = positions.get(path, (1, 1))
        return Problem(file, line, column, message)

    if not isinstance(doc, dict) or not doc.get("apiVersion") or not doc.get("kind"):
        return [at((), "not a Kubernetes object: apiVersion and kind are required")]
    model = model_for(doc["apiVersion"], doc["kind"])
    if model is None:
        return [
            at(
                ("kind",),
                f"no model for apiVersion {doc['apiVersion']!r} kind {doc['kind']!r} in the kubernetes client",
            )
        ]
    problems = [at(path, message) for path, message in unknown_keys(doc, model)]
    if not (doc.get("metadata") or {}).get("name"):
        problems.append(at(("metadata",), "metadata.name is required"))
    try:
        model.from_dict(doc)
    except pydantic.ValidationError as exc:
        for error in exc.errors():
            problems.append(at((), f"{model.__name__}: {'.'.join(map(str, error['loc']))}: {error['msg']}"))
    except (KeyError, TypeError, ValueError) as exc:
        problems.append(at((), f"{model.__name__}: {exc}"))
    return problems


def load_objects(path: Path) -> list[tuple[dict, Positions]]:
    """(object, positions) for each document of a YAML file; a syntax error names the file, line and column."""
    text = Path(path).read_text()
    try:
        nodes = list(yaml.compose_all(text))
        docs = list(yaml.safe_load_all(text))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise ValidationFailed(f"{path}:{mark.line + 1}:{mark.column + 1}: not valid YAML ({exc.problem})") from None
    return [(doc, _positions(node)) for doc, node in zip(docs, nodes, strict=False) if doc is not None]


def check_manifest_file(path: Path) -> list[Problem]:
    path = Path(path)
    if path.name in NOT_OBJECTS:
        return check_kustomization(path)
    return [p for doc, positions in load_objects(path) for p in check_object(doc, path, positions)]


def check_kustomization(path: Path) -> list[Problem]:
    """Every resource a kustomization lists exists beside it, and every manifest beside it is listed."""
    ((doc, positions),) = load_objects(path)
    listed = doc.get("resources") or []
    problems = [
        Problem(path, *positions.get(("resources", i), (1, 1)), f"resource {name!r} does not exist")
        for i, name in enumerate(listed)
        if not (path.parent / name).is_file()
    ]
    for other in sorted(path.parent.glob("*.yaml")):
        if other.name not in NOT_OBJECTS and other.name not in listed:
            problems.append(Problem(path, 1, 1, f"{other.name} is not listed under resources"))
    return problems


def check_folder(folder: Path) -> list[Problem]:
    return [p for path in sorted(Path(folder).glob("*.yaml")) for p in check_manifest_file(path)]


def main(argv=None) -> int:
    folders = (argv if argv is not None else sys.argv[1:]) or ["deploy/kubernetes/commons"]
    problems = [p for folder in folders for p in check_folder(Path(folder))]
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(problems)} problem(s) in {', '.join(folders)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
