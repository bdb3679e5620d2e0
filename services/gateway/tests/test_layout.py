"""The gateway's layout, checked by walking every import (also the ones inside functions): engine/ and
federation/ import nothing of the platform, there is no import cycle, and no module is over 600 lines."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]  # services/gateway
GENERIC = ("services.gateway.engine", "services.gateway.federation")


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.relative_to(PACKAGE).parts:
            continue
        parts = ["services", "gateway", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = f"{base}.{node.module}" if node.level and node.module else (base if node.level else node.module)
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)  # `from . import x` names a module
    return found


def internal_graph() -> dict[str, set[str]]:
    known = modules()
    return {name: {target for target in imports(name, path) if target in known and target != name}
            for name, path in known.items()}


def test_engine_and_federation_import_nothing_of_the_platform():
    for name, path in modules().items():
        if name.startswith(GENERIC):
            outside = {t for t in imports(name, path) if t.split(".")[0] == "services" and not t.startswith(GENERIC)}
            assert not outside, f"{name} imports {sorted(outside)}"


def test_no_import_cycle():
    graph = internal_graph()
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            raise AssertionError("import cycle: " + " -> ".join(trail[trail.index(name):] + [name]))
        if name in done:
            return
        for target in sorted(graph[name]):
            # A package's __init__ re-exporting its own modules is not a cycle through them.
            if not name.startswith(target + "."):
                visit(target, trail + [name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


def test_no_module_is_over_600_lines():
    long = {name: n for name, path in modules().items() if (n := len(path.read_text().splitlines())) > 600}
    assert not long
