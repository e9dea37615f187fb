"""The house stays as docs/architecture.md draws it: no import cycle, and no floor importing a floor above it.

Every `import` in kerasish/ counts, those inside functions too. A module not placed on a floor below fails the
test: a new module is given its floor here (and in docs/architecture.md) when it is written.
"""

from __future__ import annotations

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "kerasish"

#: Floors, lowest first: a module may import its own floor and lower ones only. Matched by longest prefix.
FLOORS = {
    # 0: the foundation: nothing of kerasish above it
    "kerasish.shapes": 0, "kerasish.registry": 0, "kerasish.backend": 0, "kerasish.variables": 0,
    "kerasish.dtypes": 0, "kerasish.naming": 0, "kerasish.compilation_cache": 0,
    "kerasish.random": 0, "kerasish.mixed_precision": 0, "kerasish.activations": 0, "kerasish.initializers": 0,
    "kerasish.regularizers": 0, "kerasish.constraints": 0, "kerasish.ops": 0, "kerasish.data": 0,
    # 1: what a step minimises, measures and applies
    "kerasish.losses": 1, "kerasish.metrics": 1, "kerasish.optimizers": 1,
    # 2: layers
    "kerasish.layers": 2,
    # 3: where weights live and how they are written
    "kerasish.distribution": 3, "kerasish.saving": 3,
    # 4: callbacks; 5: the training machinery; 6: models
    "kerasish.callbacks": 4, "kerasish.training": 5, "kerasish.models": 6,
    # 7: faces that gather the floors for users
    "kerasish.utils": 7, "kerasish.datasets": 7, "kerasish.export": 7, "kerasish": 7,
}


def _modules() -> dict[str, pathlib.Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _floor(module: str) -> int | None:
    for prefix in sorted(FLOORS, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return FLOORS[prefix]
    return None


def _imports(module: str, path: pathlib.Path) -> set[str]:
    """The kerasish modules `module` imports (a name imported from a package counts as its submodule when it is
    one), anywhere in the file."""
    found: set[str] = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            targets = [target] + [f"{target}.{a.name}" for a in node.names if f"{target}.{a.name}" in MODULES]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != module and target != "kerasish":
                found.add(target)
    return found


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def upward_imports(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """`(module, target)` for every import of a module on a higher floor than the importer's."""
    return sorted((m, t) for m, targets in graph.items() if m != "kerasish" for t in targets
                  if (_floor(t) or 0) > (_floor(m) or 0))


def cycles(graph: dict[str, set[str]], faces: set[str]) -> list[list[str]]:
    """Strongly connected components of `graph` (Tarjan); a package face importing its own submodules is not a
    cycle by itself, so a component of one module plus package `faces` does not count."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len([m for m in component if m not in faces]) > 1:
                found.append(sorted(component))

    for module in graph:
        if module not in index:
            strong(module)
    return found


FACES = {m for m, path in MODULES.items() if path.name == "__init__.py"}


def test_every_module_has_a_floor():
    assert [m for m in MODULES if _floor(m) is None] == []


def test_no_module_imports_a_floor_above_its_own():
    assert upward_imports(GRAPH) == []


def test_no_import_cycle():
    assert cycles(GRAPH, FACES) == []


def test_the_checks_find_a_planted_upward_import_and_a_planted_cycle():
    graph = {m: set(targets) for m, targets in GRAPH.items()}
    graph["kerasish.layers.core"].add("kerasish.training.engine")
    assert upward_imports(graph) == [("kerasish.layers.core", "kerasish.training.engine")]
    graph = {m: set(targets) for m, targets in GRAPH.items()}
    graph["kerasish.shapes"].add("kerasish.layers.base")  # layers.base imports shapes: a cycle through both
    found = cycles(graph, FACES)
    assert len(found) == 1 and {"kerasish.layers.base", "kerasish.shapes"} <= set(found[0])
    assert "kerasish.shapes" in GRAPH["kerasish.layers.base"]  # imports at module level are read...
    assert "kerasish.layers.base" in GRAPH["kerasish.layers.serialization"]


def test_imports_inside_functions_count(tmp_path):
    source = tmp_path / "planted.py"
    source.write_text("def f():\n    from kerasish.training import engine\n    return engine\n")
    assert "kerasish.training.engine" in _imports("kerasish.layers.planted", source)
