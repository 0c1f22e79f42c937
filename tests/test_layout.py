"""The house rules of ``bot/``, checked: small modules, SQL only in the store, environment only in config, no import
cycles, and adapters imported only by themselves and the CLI entry (imports inside functions count too)."""

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


def imported(path: Path, *, everywhere: bool = False) -> set[str]:
    """The modules ``path`` imports at module level, or ``everywhere`` (inside functions too, lazy imports included).

    ``from bot.x import y`` counts ``bot.x.y`` when it is a module.
    """
    names, known = set(), modules()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree) if everywhere else tree.body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            children = [f"{node.module}.{alias.name}" for alias in node.names]
            names.update(child for child in children if child in known)
            if not all(child in known for child in children):
                names.add(node.module)
    return names


def importers_of(package: str) -> set[str]:
    """The modules outside ``package`` that import it anywhere (at module level or inside a function)."""
    return {name for name, path in modules().items()
            if not (name == package or name.startswith(package + "."))
            and any(dep == package or dep.startswith(package + ".") for dep in imported(path, everywhere=True))}


def test_imports_inside_functions_are_seen(tmp_path):
    lazy = tmp_path / "lazy.py"
    lazy.write_text("def start():\n    from bot.slack.client import build_client\n", encoding="utf-8")
    assert "bot.slack.client" in imported(lazy, everywhere=True) and imported(lazy) == set()


def test_only_the_slack_adapter_and_the_cli_entry_import_slack():
    # the CLI entry and its parser, which wires `faqbot slack`'s own sub-commands
    assert importers_of("bot.slack") <= {"bot.cli", "bot.commands.cli_parser"}


def test_the_desks_and_the_store_import_no_adapter():
    adapters = ("bot.slack", "bot.console", "bot.testkit", "bot.channels")
    for name, path in modules().items():
        if name.startswith(("bot.desks", "bot.store", "bot.inbox", "bot.delivery")):
            deps = imported(path, everywhere=True)
            assert not [dep for dep in deps if dep.startswith(adapters)], (name, deps)


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
