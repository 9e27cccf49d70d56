"""The import graph of `questionnaires`, read from the source (every import statement,
including ones inside functions), and the layer of each module.

Layers, from the bottom: 1 models and pure cores, 2 services and selectors, 3 interface
(API views, pages, the portal, tasks, URL confs, forms, admin, management commands).
A module may import its own layer or lower, never higher; an interface module may not
import another domain's interface (only the shared plumbing in `core`)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "questionnaires"

INTERFACE = re.compile(
    r"(^|\.)(api|pages|portal|urls|api_urls|page_urls|members_urls|tasks|forms|members_forms"
    r"|members_pages|admin|management|context_processors|nav|decorators|health|filters"
    r"|parsers|downloads|apps)(\.|$)")
SERVICE = re.compile(r"(^|\.)(services|selectors|notifications|members|organizations|tenancy"
                     r"|demo|dispatch|outbox)(\.|$)|^reports\.(context|ownership)$")
# Pure cores: plain data in, plain data out; they import no other layer of the app.
PURE = ("questionnaires.conditions", "questionnaires.ownership.neutrality",
        "questionnaires.authoring.importers", "questionnaires.charts")
PURE_SCORING = re.compile(r"^questionnaires\.scoring(\.(engine|flags|plan|questions|rules"
                          r"|scenario_data|scenarios|scorers|text))?$")


# Interface helpers every domain's views may use: the API plumbing, page decorators and the
# upload parsers and private-file responses.
SHARED_PLUMBING = ("core", "uploads")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_modules() -> dict[str, Path]:
    return {module_name(p): p for p in (ROOT / PACKAGE).rglob("*.py")
            if "migrations" not in p.parts}


def is_facade(path: Path) -> bool:
    """A package whose __init__ holds only its docstring: importing it runs nothing."""
    return path.name == "__init__.py" and not any(
        isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.parse(path.read_text()).body)


def layer(module: str) -> int:
    local = module.removeprefix(PACKAGE + ".")
    if INTERFACE.search(local) and not local.startswith("core.api.errors"):
        return 3
    if SERVICE.search(local):
        return 2
    return 1


def domain(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def is_pure(module: str) -> bool:
    return bool(PURE_SCORING.match(module)) or any(
        module == p or module.startswith(p + ".") for p in PURE)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int


def _absolute(module: str, node: ast.ImportFrom, is_package: bool) -> str | None:
    if not node.level:
        return node.module
    base = module.split(".") if is_package else module.split(".")[:-1]
    if node.level > 1:
        base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def edges(modules: dict[str, Path]) -> list[Edge]:
    found = []
    for module, path in modules.items():
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.ImportFrom):
                base = _absolute(module, node, path.name == "__init__.py")
                if base and base.split(".")[0] == PACKAGE:
                    for alias in node.names:
                        sub = f"{base}.{alias.name}"
                        targets.append(sub if sub in modules else base)
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.split(".")[0] == PACKAGE]
            for target in targets:
                # An import of a.b.c runs a/__init__ and a/b/__init__ too.
                parts = target.split(".")
                for i in range(2, len(parts) + 1):
                    step = ".".join(parts[:i])
                    if (step in modules and step != module
                            and not module.startswith(step + ".")
                            and (i == len(parts) or modules[step].name == "__init__.py")):
                        found.append(Edge(module, step, node.lineno))
    return found


def cycles(modules: dict[str, Path], graph: list[Edge]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    out: dict[str, set[str]] = {m: set() for m in modules}
    for e in graph:
        out[e.source].add(e.target)
    index, low, on_stack, stack, result, counter = {}, {}, set(), [], [], [0]
    for root in sorted(modules):
        if root in index:
            continue
        work = [(root, iter(sorted(out[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(out[child]))))
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
                    result.append(sorted(component))
    return result


def violations(modules: dict[str, Path], graph: list[Edge]) -> list[str]:
    """Every import that runs upward, sideways between interfaces, or out of a pure core."""
    problems = []
    for e in graph:
        if is_facade(modules[e.target]):
            continue
        where = f"{modules[e.source].relative_to(ROOT)}:{e.line}"
        src, dst = layer(e.source), layer(e.target)
        if dst > src:
            problems.append(f"{where}: {e.source} (layer {src}) imports {e.target} (layer {dst})")
        elif (src == 3 and dst == 3 and domain(e.source) != domain(e.target)
              and domain(e.target) not in SHARED_PLUMBING and e.source.count(".") > 1):
            problems.append(f"{where}: interface {e.source} imports another domain's "
                            f"interface {e.target}")
        if is_pure(e.source) and not is_pure(e.target) and not e.target.startswith(
                ("questionnaires.core.errors",)):
            problems.append(f"{where}: pure core {e.source} imports {e.target}")
    return problems
