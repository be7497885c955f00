"""Guard rail: dependencies run one way, accounts → expo → matching (STYLE.md section 1).

Reads every module's source (imports inside functions included, since a lazy import is still a
dependency) and fails naming the file, the line and the import. Migrations count too: a migration
of `accounts` that imports `expo` couples them as much as a view does.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# app (or module glob) → top-level packages it must never import
FORBIDDEN = {
    "accounts": {"expo", "matching"},
    "expo": {"matching"},
}
# The scoring code is pure numerics (STYLE.md section 3): no Django and nothing that loads it.
SCORING_FORBIDDEN = {"django", "rest_framework", "accounts", "expo", "config", "celery"}


def _python_files(pattern: str) -> list[Path]:
    files: list[Path] = []
    for path in sorted(ROOT.glob(pattern)):
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return [f for f in files if f.suffix == ".py"]


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, top-level module) for every absolute import in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def _violations(files: list[Path], forbidden: set[str]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in files
        for line, module in _imports(path)
        if module in forbidden
    ]


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_never_imports_a_later_app(app):
    files = _python_files(app)

    assert len(files) > 5  # the app was found
    assert _violations(files, FORBIDDEN[app]) == []


def test_scoring_imports_no_django_and_no_app():
    files = _python_files("matching/scoring*")

    # every module of the scoring package was found, the compiled kernel's included
    assert ROOT / "matching/scoring/kernel.py" in files
    assert {f.parent for f in files} == {ROOT / "matching/scoring"}
    assert _violations(files, SCORING_FORBIDDEN) == []


def test_the_check_catches_a_forbidden_import(tmp_path):
    """The scan sees top-level, aliased, dotted and function-local imports alike."""
    module = tmp_path / "sample.py"
    module.write_text(
        "import os\nimport expo.models as m\nfrom matching.models import Match\n"
        "def f():\n    from django.db import models\n    from . import sibling\n",
        encoding="utf-8",
    )

    assert _imports(module) == [(1, "os"), (2, "expo"), (3, "matching"), (5, "django")]
