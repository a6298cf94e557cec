"""The package layout keeps the architecture visible: features depend one way, never in a circle.

A feature is a package or module directly under ``archive/`` (``moderation``, ``harvesting``,
``queries``…). ``archive/__init__.py`` wires them all together and is left out.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "archive"


def _feature(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "archive" else None


def _imports() -> list[tuple[str, str, str, str]]:
    """(importing feature, imported feature, imported module, name) for every import."""
    found = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        module = ".".join(relative.parts)
        if module == "archive.__init__":
            continue
        source = _feature(module.removesuffix(".__init__") + ("" if path.stem != "__init__"
                                                               else ".x"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                target = _feature(node.module)
                names = [alias.name for alias in node.names]
                if node.module == "archive":  # from archive import moderation
                    pairs = [(name, name) for name in names if (PACKAGE / name).is_dir()
                             or (PACKAGE / f"{name}.py").is_file()]
                    if len(pairs) < len(names):  # a name defined in archive/__init__.py
                        pairs.append(("__init__", ""))
                else:
                    pairs = [(target, name) for name in names] if target else []
                for feature, name in pairs:
                    if source and feature and feature != source:
                        found.append((source, feature, node.module, name))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    target = _feature(alias.name)
                    if source and target and target != source:
                        found.append((source, target, alias.name, ""))
    return found


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one feature (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for following in edges.get(node, ()):
            if following not in index:
                visit(following)
                low[node] = min(low[node], low[following])
            elif following in on_stack:
                low[node] = min(low[node], index[following])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in list(edges):
        if node not in index:
            visit(node)
    return components


def test_no_feature_depends_on_itself_through_others():
    edges: dict[str, set[str]] = defaultdict(set)
    for source, target, _module, _name in _imports():
        edges[source].add(target)

    assert _cycles(edges) == []


def test_no_feature_imports_another_features_private_names():
    private = [(source, f"{module}.{name}") for source, _target, module, name in _imports()
               if name.startswith("_")]

    assert private == []


def test_extensions_and_models_import_no_feature():
    leaves = {"extensions": set(), "models": {"extensions"}}
    for source, target, module, _name in _imports():
        if source in leaves:
            assert target in leaves[source], f"archive.{source} imports {module}"


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
