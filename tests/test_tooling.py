"""The static checks cover every app: a new app (or a new services/selectors/tasks module) that the mypy
strict list or the import-linter layers leave out fails here, with what to add to pyproject.toml."""

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
APPS = [p.name for p in ROOT.iterdir() if (p / "apps.py").exists() or (p / "models.py").exists()] + ["portal"]
STRICT_ROOMS = ("services", "selectors", "tasks")


def _modules() -> list[str]:
    out = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts or "tests" in parts:
                continue
            if any(part in STRICT_ROOMS for part in parts):
                out.append(".".join(p for p in parts if p != "__init__"))
    return out


def _strict_patterns() -> list[str]:
    for override in CONFIG["tool"]["mypy"]["overrides"]:
        if override.get("disallow_untyped_defs"):
            return override["module"]
    raise AssertionError("no strict mypy override in pyproject.toml")


def test_every_services_selectors_and_tasks_module_is_strict():
    patterns = _strict_patterns()
    loose = [m for m in _modules() if not any(fnmatch.fnmatchcase(m, p) for p in patterns)]
    assert not loose, f"add these to the strict [[tool.mypy.overrides]] of pyproject.toml: {loose}"


def test_every_app_is_in_the_layers():
    linter = CONFIG["tool"]["importlinter"]
    layers = next(c for c in linter["contracts"] if c["name"].startswith("Apps depend one way"))["layers"]
    named = {part.strip() for layer in layers for part in layer.replace("|", ":").split(":")}
    acyclic = next(c for c in linter["contracts"] if c["type"] == "acyclic_siblings")["ancestors"]
    missing = [
        app for app in APPS if not (app in named and app in linter["root_packages"] and app in acyclic)
    ]
    assert not missing, (
        f"add {missing} to root_packages, a layer and the acyclic ancestors of [tool.importlinter]"
    )


def test_every_app_has_one_permissions_module():
    """STYLE / docs/architecture.md: each app keeps its scope queries and predicates in ``<app>/permissions.py``
    (the kernel in ``portal/`` has its own rooms)."""
    missing = [app for app in APPS if app != "portal" and not (ROOT / app / "permissions.py").exists()]
    assert not missing, f"give {missing} a permissions.py"
