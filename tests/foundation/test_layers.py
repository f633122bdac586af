"""The layers hold: no app imports a later one, nothing imports `frontend`, `core` knows no domain, `synth/` and
`training/` stay beside the apps, and no module-level import cycle runs through a package's modules."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["core", "curation", "reports_nlp", "annotation", "datasets"]
PACKAGES = [*LAYERS, "frontend", "synth", "training"]
# synth draws its studies from the default taxonomy's table, which is plain data (no Django).
SYNTH_MAY_IMPORT = "curation.default_taxonomy"
# Besides management commands, the active-learning simulation (run by a command and a bench) plays readers.
USES_SYNTH = {"datasets.active_learning.simulation"}


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts or "node_modules" in parts:
                continue
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _imports(module: str, path: Path, *, top_level_only: bool) -> set[str]:
    """Absolute names of what `module` imports: `from a.b import c` gives a.b and a.b.c."""
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module
            names.add(target)
            names.update(f"{target}.{alias.name}" for alias in node.names)
    return names


def _violations(module: str, imported: str) -> str | None:
    source, target = module.split(".")[0], imported.split(".")[0]
    if source in LAYERS and target in LAYERS and LAYERS.index(target) > LAYERS.index(source):
        return f"{module} imports {imported}, a later layer"
    if target == "frontend" and source != "frontend":
        return f"{module} imports {imported}: no app imports frontend"
    if source in ("synth", "training") and (target == "django" or target in LAYERS or target == "frontend"):
        if not (source == "synth" and imported.startswith(SYNTH_MAY_IMPORT)):
            return f"{module} imports {imported}: {source}/ stays beside the apps"
    if target in ("synth", "training") and source in LAYERS and not (
            "management" in module.split(".") or module in USES_SYNTH):
        return f"{module} imports {imported}: only commands, the demo, tests and benches use {target}/"
    return None


def test_no_module_imports_against_the_layers():
    problems = []
    for module, path in MODULES.items():
        for imported in _imports(module, path, top_level_only=False):
            problem = _violations(module, imported)
            if problem:
                problems.append(problem)
    assert sorted(set(problems)) == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found, counter = {}, {}, [], set(), [], [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_module_level_import_cycle():
    graph = {module: {name for name in _imports(module, path, top_level_only=True) if name in MODULES} - {module}
             for module, path in MODULES.items()}
    assert _cycles(graph) == []


@pytest.mark.parametrize("module, imported, expected", [
    ("curation.services.archive", "annotation.models", "a later layer"),
    ("core.roles", "curation.models", "a later layer"),
    ("datasets.selectors.versions", "frontend.views", "no app imports frontend"),
    ("synth.cohort", "django.conf", "stays beside the apps"),
    ("training.data", "datasets.export.shards", "stays beside the apps"),
    ("synth.cohort", "curation.models", "stays beside the apps"),
    ("annotation.services.reads", "synth.readers", "only commands"),
])
def test_the_check_names_each_kind_of_violation(module, imported, expected):
    assert expected in _violations(module, imported)


def test_the_cycle_finder_sees_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_imports_along_the_layers_pass():
    assert _violations("annotation.services.reads", "curation.models") is None
    assert _violations("frontend.views.reading", "annotation.selectors.worklist") is None
    assert _violations("synth.study", "curation.default_taxonomy") is None
    assert _violations("annotation.management.commands.simulate_readers", "synth.readers") is None
