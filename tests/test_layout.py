"""The house rules of ``bot/``, checked: small modules, SQL only in the store, environment only in config, no import cycles."""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"
MAX_LINES = 400


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(BOT.rglob("*.py")):
        name = ".".join(path.relative_to(BOT.parent).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def imported(path: Path) -> set[str]:
    """The modules ``path`` imports at module level (``from bot.x import y`` counts ``bot.x.y`` when it is a module)."""
    names, known = set(), modules()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            children = [f"{node.module}.{alias.name}" for alias in node.names]
            names.update(child for child in children if child in known)
            if not all(child in known for child in children):
                names.add(node.module)
    return names


def test_no_module_in_bot_is_over_400_lines():
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in modules().items()}
    assert {name: size for name, size in sizes.items() if size > MAX_LINES} == {}


def test_sql_lives_only_in_the_store():
    users = {name for name, path in modules().items() if any(m.startswith("sqlalchemy") for m in imported(path))}
    assert users and all(name.startswith("bot.store") for name in users), users


def test_the_environment_is_read_only_in_config():
    readers = {name for name, path in modules().items()
               if "os.environ" in path.read_text(encoding="utf-8") or "getenv(" in path.read_text(encoding="utf-8")}
    assert readers == {"bot.config"}


def test_no_import_cycles_between_modules():
    known = modules()
    graph = {name: {dep for dep in imported(path) if dep in known and not name.startswith(dep + ".")}
             for name, path in known.items()}
    cycles = []

    def visit(name: str, trail: list[str]) -> None:
        for dep in graph[name]:
            if dep in trail:
                cycles.append(trail[trail.index(dep):] + [dep])
            elif len(trail) < len(graph):
                visit(dep, trail + [dep])

    for name in graph:
        visit(name, [name])
    assert cycles == []
