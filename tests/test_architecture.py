"""The apps' import arrows (docs/architecture.md): every app may use maps, maps uses none of
the apps built on it, and no two apps import each other, directly or round a loop."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["workspaces", "personas", "touchpoints", "maps", "live", "exports", "collab", "history"]
APPS += ["method", "sheets", "portfolio", "integrations", "accounts_oidc", "insights"]

# What each app may import, as docs/architecture.md draws it. `journeymap` (the project
# package: settings, URL composition, shared API helpers) is not an app and is left out.
ALLOWED = {
    "workspaces": set(),
    "touchpoints": set(),
    "personas": {"workspaces", "touchpoints"},
    "maps": {"workspaces", "personas", "touchpoints"},
    "live": {"maps", "workspaces"},
    "exports": {"maps", "workspaces", "touchpoints", "sheets", "insights"},
    "collab": {"maps", "workspaces", "exports"},
    "history": {"maps", "workspaces", "personas"},
    "method": {"maps", "workspaces", "personas", "touchpoints", "insights"},
    "sheets": {"maps", "workspaces", "touchpoints"},
    "portfolio": {"maps", "method", "workspaces", "touchpoints"},
    "integrations": {"maps", "workspaces", "exports"},
    "accounts_oidc": {"workspaces"},
    "insights": {"maps", "workspaces", "personas"},
}


def imported_apps(app: str) -> dict[str, set[str]]:
    """{other app: the files of `app` that import it}, from every import statement, the ones
    inside functions included (migrations aside: they name apps by label, not by import)."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in APPS and top != app:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_maps_imports_none_of_the_apps_built_on_it():
    built_on = {"live", "exports", "collab", "history", "method", "sheets", "portfolio"}
    built_on |= {"integrations", "accounts_oidc"}
    built_on |= {"insights"}
    assert not set(imported_apps("maps")) & built_on


def test_every_app_imports_only_what_the_architecture_allows():
    unexpected = {
        app: {other: sorted(files) for other, files in imported_apps(app).items()}
        for app in APPS
        if set(imported_apps(app)) - ALLOWED[app]
    }
    assert unexpected == {}


def test_the_apps_import_each_other_in_no_loop():
    graph = {app: set(imported_apps(app)) for app in APPS}
    done: set[str] = set()

    def visit(app: str, path: list[str]) -> None:
        assert app not in path, f"import loop: {' -> '.join([*path, app])}"
        if app in done:
            return
        for other in sorted(graph[app]):
            visit(other, [*path, app])
        done.add(app)

    for app in APPS:
        visit(app, [])


def test_the_allowed_arrows_themselves_form_no_loop():
    # Guards the table above: allowing a loop there would let one in unnoticed.
    done: set[str] = set()

    def visit(app: str, path: list[str]) -> None:
        assert app not in path, f"allowed loop: {' -> '.join([*path, app])}"
        if app not in done:
            for other in sorted(ALLOWED[app]):
                visit(other, [*path, app])
            done.add(app)

    for app in APPS:
        visit(app, [])
