"""reports reads the other apps; none of them may import it (README, "Architecture")."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["callcenter", "inquiries", "knowledgebase", "referrals", "safety", "floor"]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_other_app_imports_reports():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py") if (ROOT / app).exists() else []:
            if any(name == "reports" or name.startswith("reports.") for name in imported_modules(path)):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
