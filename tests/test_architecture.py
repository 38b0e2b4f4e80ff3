"""The layering and lint rules hold for the whole tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_import_contracts_hold() -> None:
    """routing and dispatch import no framework; app -> services -> models -> dispatch -> routing."""
    result = subprocess.run([str(BIN / "lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_is_clean() -> None:
    """The code passes the project's lint rules."""
    result = subprocess.run([str(BIN / "ruff"), "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


PACKAGES = ("app", "dispatch", "routing", "mobile_api")
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 40
# A function may run longer when the comment right above it (or its decorators) says why.
LONGER_ON_PURPOSE = "# Longer on purpose:"


def _sources() -> list[Path]:
    return [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def test_no_module_is_over_three_hundred_lines() -> None:
    """Modules stay small enough to read in one sitting."""
    sizes = {str(p.relative_to(ROOT)): len(p.read_text().splitlines()) for p in _sources()}
    long = {path: n for path, n in sizes.items() if n > MAX_MODULE_LINES}
    assert long == {}


def test_no_function_is_over_forty_lines_unless_it_says_why() -> None:
    """Functions fit on a screen, except where a comment above them says why a longer one reads better."""
    import ast

    long = []
    for path in _sources():
        lines = path.read_text().splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            above = lines[first - 2].strip() if first > 1 else ""
            if length > MAX_FUNCTION_LINES and not above.startswith(LONGER_ON_PURPOSE):
                long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({length} lines)")
    assert long == []
