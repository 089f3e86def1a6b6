"""The layout's arrows point one way (ARCHITECTURE "Layout"), read from the imports themselves.

`handlers` and `schedules` call `bot`, which uses `storage`; storage imports none of the
others; bot imports neither handlers nor schedules, except where the app is wired together;
and no two bot modules import each other, directly or round a longer loop.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "schedules", "storage")

# The composition root: bot/runtime/ builds the app, the CLI and the server, and bot/sandbox/
# the local sandbox, from handlers, schedules and the web app together, so they may import all.
COMPOSITION_ROOT = ("bot.runtime", "bot.sandbox")


def module_name(path: Path) -> str:
    """The dotted name of a source file ("bot/standups/__init__.py" is "bot.standups")."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    module_name(path): path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
}


def imported_names(name: str, path: Path) -> set[str]:
    """Every module a file imports at module level (an `if` block included), absolute."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _module_level(tree.body):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, package)
            found.add(base)
            # `from bot.status import prompts` imports the module bot.status.prompts.
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _module_level(body: list[ast.stmt]) -> list[ast.stmt]:
    """The statements run on import: the body, and the bodies of its `if`/`try` blocks."""
    statements: list[ast.stmt] = []
    for node in body:
        statements.append(node)
        if isinstance(node, ast.If | ast.Try):
            statements.extend(_module_level(node.body + node.orelse))
    return statements


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    base = parts[: len(parts) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def project_imports(name: str) -> set[str]:
    """The project modules `name` imports, each named as the module that defines it."""
    resolved = {_defining_module(imported) for imported in imported_names(name, MODULES[name])}
    return resolved - {name, ""}


def _defining_module(imported: str) -> str:
    """`bot.status.prompts.ask` is defined by bot.status.prompts; outside the project gives ""."""
    while imported and imported not in MODULES:
        imported = imported.rpartition(".")[0]
    return imported


def _top(name: str) -> str:
    return name.partition(".")[0]


def _in_composition_root(name: str) -> bool:
    return any(name == root or name.startswith(f"{root}.") for root in COMPOSITION_ROOT)


def test_storage_imports_nothing_of_the_other_layers() -> None:
    wrong = {
        name: sorted(m for m in project_imports(name) if _top(m) != "storage")
        for name in MODULES
        if _top(name) == "storage"
    }
    assert {name: found for name, found in wrong.items() if found} == {}


def test_bot_imports_neither_handlers_nor_schedules_outside_the_composition_root() -> None:
    wrong = {
        name: sorted(m for m in project_imports(name) if _top(m) in ("handlers", "schedules"))
        for name in MODULES
        if _top(name) == "bot" and not _in_composition_root(name)
    }
    assert {name: found for name, found in wrong.items() if found} == {}


def test_no_import_cycles_among_bot_modules() -> None:
    graph = {
        name: {m for m in project_imports(name) if _top(m) == "bot"}
        for name in MODULES
        if _top(name) == "bot"
    }
    assert find_cycle(graph) is None


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import loop in `graph` (a module, what it imports, …, the module again), or None."""
    done: set[str] = set()
    for start in sorted(graph):
        cycle = _cycle_from(start, graph, path=[], done=done)
        if cycle is not None:
            return cycle
    return None


def _cycle_from(
    name: str, graph: dict[str, set[str]], *, path: list[str], done: set[str]
) -> list[str] | None:
    if name in path:
        return [*path[path.index(name) :], name]
    if name in done:
        return None
    for imported in sorted(graph.get(name, ())):
        cycle = _cycle_from(imported, graph, path=[*path, name], done=done)
        if cycle is not None:
            return cycle
    done.add(name)
    return None


def test_find_cycle_names_the_loop() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_import_reader_counts_a_module_imported_from_its_package() -> None:
    assert "bot.status.prompts" in project_imports("schedules.registry")
    assert "bot.notify" in project_imports("bot.status.program_flags")


# The pipeline every feature's handlers run through; features import these, never each other.
PIPELINE = {
    "handlers.adapters",
    "handlers.effects",
    "handlers.lookups",
    "handlers.request",
    "handlers.router",
}


def test_no_handler_imports_another_handler() -> None:
    features = {name for name in MODULES if _top(name) == "handlers"} - PIPELINE - {"handlers"}
    wrong = {
        name: sorted(m for m in project_imports(name) if m in features) for name in sorted(features)
    }
    assert {name: found for name, found in wrong.items() if found} == {}


def test_handlers_and_the_pipeline_hold_no_slack_client() -> None:
    """Only the adapters and look-ups (which run outside transactions) touch the Web API."""
    may = {"handlers.adapters", "handlers.lookups"}
    wrong = [
        name
        for name, path in MODULES.items()
        if _top(name) == "handlers" and name not in may and "WebClient" in path.read_text()
    ]
    assert wrong == []


def function_sizes(names: set[str]) -> list[tuple[int, str]]:
    """The length in lines (signature to last line, docstring included) of every function."""
    sizes = []
    for name in sorted(names):
        tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                sizes.append((length, f"{name}.{node.name}"))
    return sorted(sizes, reverse=True)


def _median(values: list[int]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def test_handlers_are_small() -> None:
    """A handler is a parse, one domain call and an effect: median ≤ 10 lines, none over 25."""
    features = {name for name in MODULES if _top(name) == "handlers"} - PIPELINE - {"handlers"}
    sizes = function_sizes(features)
    assert _median([n for n, _ in sizes]) <= 10
    assert [(n, f) for n, f in sizes if n > 25] == []


def test_domain_functions_are_small() -> None:
    """Functions in bot/ (the sandbox aside): median ≤ 10 lines, none over 40."""
    domain = {n for n in MODULES if _top(n) == "bot" and not n.startswith("bot.sandbox")}
    sizes = function_sizes(domain)
    assert _median([n for n, _ in sizes]) <= 10
    assert [(n, f) for n, f in sizes if n > 40] == []
