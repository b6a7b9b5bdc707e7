"""The apps' import arrows (docs/architecture.md): every app may use maps, maps uses none of
the apps built on it, and no two apps import each other, directly or round a loop."""

from __future__ import annotations

import ast
import functools
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


# What the apps built on maps may import from it (docs/architecture.md, "The surface of maps"):
# its models and rules, the one change path and its messages, the read models, and what REST
# views share. Its views, API, pages, admin, caches of pages and the live path's statements are
# its own.
MAPS_PUBLIC = {
    "maps.access",
    "maps.document_cache",
    "maps.document_types",
    "maps.documents",
    "maps.forms",
    "maps.hooks",
    "maps.item_schema",
    "maps.messages",
    "maps.models",
    "maps.ops",
    "maps.rest",
    "maps.revisions",
    "maps.services",
    "maps.subjourneys",
}
# Modules no other app imports: the HTTP entry points of each app.
ENTRY_POINTS = {"views", "api", "editor_views", "urls", "admin"}


@functools.cache
def cross_app_imports() -> list[tuple[str, str, list[str]]]:
    """(file, module, names) of every import of another app's module, by any app."""
    found: list[tuple[str, str, list[str]]] = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    modules = [(node.module, [alias.name for alias in node.names])]
                elif isinstance(node, ast.Import):
                    modules = [(alias.name, []) for alias in node.names]
                else:
                    continue
                for module, names in modules:
                    top = module.split(".")[0]
                    if top in APPS and top != app:
                        if module == top:  # `from maps import hooks`: the names are modules
                            for name in names:
                                found.append((str(path.relative_to(ROOT)), f"{top}.{name}", []))
                        else:
                            found.append((str(path.relative_to(ROOT)), module, names))
    return found


def test_no_app_imports_another_apps_views_api_or_admin():
    wrong = [
        (file, module)
        for file, module, _ in cross_app_imports()
        if module.split(".")[-1] in ENTRY_POINTS
    ]
    assert wrong == []


def test_no_app_imports_another_apps_private_names():
    wrong = [
        (file, module, name)
        for file, module, names in cross_app_imports()
        for name in names
        if name.startswith("_")
    ]
    assert wrong == []


def test_the_apps_built_on_maps_use_only_its_public_surface():
    wrong = [
        (file, module)
        for file, module, _ in cross_app_imports()
        if module.startswith("maps.") and module not in MAPS_PUBLIC
    ]
    assert wrong == []
