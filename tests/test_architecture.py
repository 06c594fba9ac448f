"""The house rules (docs/architecture.md), held by an AST walk over every module of the project.

* floors: a module imports only its own floor and the floors below it
  (vocab < storage < pure < domain < scrapy < stages < entry points);
* the pure packages (recognize, extract, stats, compliance) import neither ``storage`` nor
  Scrapy/Twisted nor the CLI, and do no I/O on the archive;
* ``storage`` imports only the vocabulary floor; the vocabulary floor imports nothing else of
  the project;
* the simulator (``portalsim``) imports nothing of the project, and only the CLI and the demo
  import it (tests and benchmarks may);
* no SQL outside ``storage`` (no ``sqlite3``, no ``.execute``/``.query`` calls);
* no import circle between modules (imports inside functions count: they only hide a circle).

Every import is counted, including those inside functions and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
import importlib
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("crawler", "spiders", "storage", "portalsim", "scheduler")

# Floors, bottom first: a module may import its own floor and any floor below it.
FLOORS: list[tuple[str, tuple[str, ...]]] = [
    ("vocab", ("crawler.vocab",)),
    ("storage", ("storage",)),
    ("pure", ("crawler.recognize", "crawler.extract", "crawler.stats", "crawler.compliance")),
    (
        "domain",
        (
            "crawler.registry",
            "crawler.scorecard",
            "crawler.health",
            "crawler.cadence",
            "crawler.outputs",
            "crawler.opstatus",
            "crawler.logs",
            "crawler.parse_file",
            "=crawler",  # the package's own __init__ (its version) only
        ),
    ),
    (
        "scrapy",
        (
            "crawler.settings",
            "crawler.items",
            "crawler.middlewares",
            "crawler.pipelines",
            "crawler.extensions",
            "crawler.session",
            "spiders",
        ),
    ),
    ("stages", ("crawler.stages",)),
    ("entry", ("crawler.demo", "crawler.cli", "crawler.web", "scheduler")),
]
SIMULATOR = "portalsim"
SIMULATOR_USERS = ("crawler.cli", "crawler.demo")
PURE = dict(FLOORS)["pure"]
PURE_FORBIDDEN_LIBS = ("scrapy", "twisted", "click", "sqlite3", "sqlite_utils", "warcio", "apscheduler")
# Libraries each floor must not use (beyond the floors it may not import).
FORBIDDEN_LIBS = {
    "crawler.vocab": (
        "scrapy",
        "twisted",
        "click",
        "sqlite3",
        "sqlite_utils",
        "warcio",
        "apscheduler",
        "parsel",
    ),
    "storage": ("scrapy", "twisted", "click", "apscheduler", "parsel"),
}
STORAGE_ONLY_LIBS = ("sqlite3", "warcio")  # the archive's formats: read and written only by storage
SQL_CALLS = ("execute", "executemany", "executescript", "query")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the imported module (project) or top-level library name
    line: int


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_files(root: Path = ROOT) -> list[Path]:
    files = [root / "scheduler.py"]
    for top in PROJECT[:-1]:
        files += sorted((root / top).rglob("*.py"))
    return files


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(path: Path, modules: set[str], root: Path = ROOT) -> list[Import]:
    """Every import in a file: project modules resolved (``from pkg import submodule`` names the
    submodule), other libraries by their top-level name."""
    module = module_name(path, root)
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                out.append(Import(module, _project_module(alias.name, modules), node.lineno))
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, path.name == "__init__.py", node)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                target = sub if sub in modules else base
                out.append(Import(module, _project_module(target, modules), node.lineno))
    return out


def _project_module(name: str, modules: set[str]) -> str:
    """The longest project module that ``name`` starts with (a library keeps its top-level name)."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        if ".".join(parts[:i]) in modules:
            return ".".join(parts[:i])
    return parts[0]


def floor_of(module: str) -> int | None:
    """The floor of a module: the longest package prefix that holds it (``=name``: that module only)."""
    best: tuple[int, int] | None = None  # (prefix length, floor)
    for i, (_, prefixes) in enumerate(FLOORS):
        for entry in prefixes:
            prefix = entry.lstrip("=")
            if module == prefix or (entry == prefix and module.startswith(prefix + ".")):
                if best is None or len(prefix) > best[0]:
                    best = (len(prefix), i)
    return best[1] if best else None


def in_package(module: str, packages: tuple[str, ...] | str) -> bool:
    packages = (packages,) if isinstance(packages, str) else packages
    return any(module == p or module.startswith(p + ".") for p in packages)


def violations(root: Path = ROOT) -> list[str]:
    """Every broken house rule in the tree at ``root``, one line each (empty: all kept)."""
    files = project_files(root)
    modules = {module_name(f, root) for f in files}
    problems = []
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for path in files:
        for imp in imports_of(path, modules, root):
            where = f"{path.relative_to(root)}:{imp.line}: {imp.module} imports {imp.target}"
            problems += _import_problems(imp, modules, where)
            if imp.target in modules and imp.target != imp.module:
                graph[imp.module].add(imp.target)
        problems += _sql_problems(path, module_name(path, root), root)
    problems += [f"import circle: {' -> '.join(c)}" for c in circles(graph)]
    return problems


def _import_problems(imp: Import, modules: set[str], where: str) -> list[str]:
    src, dst = imp.module, imp.target
    if in_package(src, SIMULATOR):
        return (
            [f"{where}: the simulator imports nothing of the project"]
            if dst in modules and not in_package(dst, SIMULATOR)
            else []
        )
    if dst not in modules:  # a library
        if in_package(src, PURE) and dst in PURE_FORBIDDEN_LIBS:
            return [f"{where}: the pure packages use no Scrapy, CLI or database library"]
        for package, libs in FORBIDDEN_LIBS.items():
            if in_package(src, package) and dst in libs:
                return [f"{where}: {package} uses no {dst}"]
        if dst in STORAGE_ONLY_LIBS and not in_package(src, "storage"):
            return [f"{where}: only storage reads and writes the archive's formats ({dst})"]
        return []
    if in_package(dst, SIMULATOR):
        return (
            []
            if in_package(src, SIMULATOR_USERS)
            else [f"{where}: only the CLI and the demo use the simulator"]
        )
    if in_package(src, PURE) and in_package(dst, "storage"):
        return [f"{where}: the pure packages do not read the archive"]
    src_floor, dst_floor = floor_of(src), floor_of(dst)
    if src_floor is None or dst_floor is None:
        return [f"{where}: {src if src_floor is None else dst} is on no floor (add it to FLOORS)"]
    if dst_floor > src_floor:
        return [f"{where}: floor {FLOORS[src_floor][0]} must not import floor {FLOORS[dst_floor][0]}"]
    return []


def _sql_problems(path: Path, module: str, root: Path) -> list[str]:
    if in_package(module, ("storage", SIMULATOR)):
        return []
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SQL_CALLS
        ):
            out.append(
                f"{path.relative_to(root)}:{node.lineno}: .{node.func.attr}() outside storage (SQL belongs "
                "in storage/)"
            )
    return out


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles of ``graph`` (Tarjan's strongly connected components), each as a path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:  # iterative: no recursion limit on deep graphs
        nonlocal counter
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component) + [sorted(component)[0]])

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_house_rules_hold():
    problems = violations()
    assert not problems, "\n".join(problems)


def test_every_module_is_on_a_floor():
    modules = {module_name(f) for f in project_files()}
    assert [m for m in sorted(modules) if floor_of(m) is None and not in_package(m, SIMULATOR)] == []


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (tmp_path / "scheduler.py").touch()
    for pkg in (
        "crawler",
        "crawler/vocab",
        "crawler/compliance",
        "crawler/stages",
        "storage",
        "spiders",
        "portalsim",
    ):
        (tmp_path / pkg).mkdir(parents=True, exist_ok=True)
        (tmp_path / pkg / "__init__.py").touch()
    return tmp_path


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {
                "storage/compliance.py": "from crawler.compliance.verdicts import Capture\n",
                "crawler/compliance/verdicts.py": "",
            },
            "floor storage must not import floor pure",
        ),
        (
            {
                "storage/x.py": "def f():\n    from crawler.compliance import verdicts\n",
                "crawler/compliance/verdicts.py": "",
            },
            "floor storage must not import floor pure",
        ),
        (
            {"crawler/compliance/rules.py": "import storage.db\n", "storage/db.py": ""},
            "the pure packages do not read the archive",
        ),
        ({"crawler/compliance/rules.py": "from scrapy import Request\n"}, "the pure packages use no Scrapy"),
        (
            {
                "crawler/vocab/words.py": "from crawler.compliance import rules\n",
                "crawler/compliance/rules.py": "",
            },
            "floor vocab must not import floor pure",
        ),
        (
            {"portalsim/world.py": "from crawler.vocab import clock\n", "crawler/vocab/clock.py": ""},
            "the simulator imports nothing of the project",
        ),
        (
            {"crawler/compliance/rules.py": "import portalsim\n"},
            "only the CLI and the demo use the simulator",
        ),
        (
            {
                "crawler/compliance/a.py": "from crawler.compliance import b\n",
                "crawler/compliance/b.py": "def f():\n    from crawler.compliance.a import x\n",
            },
            "import circle: crawler.compliance.a -> crawler.compliance.b -> crawler.compliance.a",
        ),
        (
            {"crawler/compliance/rules.py": "def f(db):\n    return db.execute('select 1')\n"},
            "outside storage",
        ),
        (
            {"crawler/compliance/rules.py": "import sqlite3\n"},
            "the pure packages use no Scrapy, CLI or database",
        ),
        ({"crawler/vocab/words.py": "import click\n"}, "crawler.vocab uses no click"),
        ({"storage/db.py": "def f():\n    import scrapy\n"}, "storage uses no scrapy"),
        ({"crawler/outputs/x.py": "from warcio import ArchiveIterator\n"}, "only storage reads and writes"),
        (
            {"crawler/newthing.py": "from crawler.vocab import words\n", "crawler/vocab/words.py": ""},
            "crawler.newthing is on no floor",
        ),
    ],
)
def test_a_broken_rule_is_caught(tmp_path, files, expected):
    """The walk itself can fail: each rule, broken once in a scratch tree, is reported."""
    problems = violations(_tree(tmp_path, files))
    assert any(expected in p for p in problems), problems


def test_a_clean_scratch_tree_passes(tmp_path):
    root = _tree(
        tmp_path,
        {
            "storage/db.py": "from crawler.vocab import words\n",
            "crawler/vocab/words.py": "",
            "crawler/compliance/rules.py": "from crawler.vocab.words import X\n",
            "crawler/stages/check.py": "from crawler.compliance import rules\nfrom storage import db\n",
        },
    )
    assert violations(root) == []


def _documented_names() -> list[str]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    names = re.findall(r"`((?:crawler|storage|spiders|scheduler|portalsim)(?:\.\w+)+)", text)
    return sorted({n for n in names if not n.endswith(".py")})


@pytest.mark.parametrize("dotted", _documented_names())
def test_every_name_in_the_architecture_map_exists(dotted):
    """docs/architecture.md names real modules and functions: a rename that forgets the map fails."""
    parts = dotted.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = getattr(obj, attr)  # AttributeError: the map names something that is gone
        return
    raise AssertionError(f"{dotted}: no such module")


def test_every_package_is_on_the_architecture_map():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    packages = sorted(module_name(f) for f in project_files() if f.name == "__init__.py")
    missing = [p for p in packages if f"`{p.replace('.', '/')}/`" not in text and p != "crawler"]
    assert missing == [], f"packages missing from docs/architecture.md: {missing}"
