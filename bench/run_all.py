"""Run the benchmarks: every bench/*.py that defines a top-level `main()`.

    .venv/bin/python bench/run_all.py               # all of them (what `make bench` runs)
    .venv/bin/python bench/run_all.py calls         # only bench/calls.py
    .venv/bin/python bench/run_all.py calls wallboard -- --quick   # args after -- go to each script
    .venv/bin/python bench/run_all.py --list

Scripts are found, not listed here: a new bench/<name>.py with a `main()` is
picked up automatically (files starting with "_" are helpers and skipped). Each
runs in its own Python process (each configures Django its own way) and prints
its own table; `main()` may return an exit code. The exit code of this runner is
non-zero when any benchmark failed.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable

# Runs main() whether or not the script has an `if __name__ == "__main__"` guard.
LAUNCHER = (
    "import sys; sys.path.insert(0, {bench!r}); sys.argv = [{path!r}, *sys.argv[1:]]; "
    "import {module} as m; code = m.main(); sys.exit(code if isinstance(code, int) else 0)"
)


def defines_main(path: Path) -> bool:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (SyntaxError, OSError):
        return False
    return any(isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == "main" for node in tree.body)


def discover() -> list[Path]:
    return [
        path
        for path in sorted(BENCH_DIR.glob("*.py"))
        if not path.name.startswith("_") and path.name != Path(__file__).name and defines_main(path)
    ]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    passthrough: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, passthrough = argv[:cut], argv[cut + 1 :]
    scripts = discover()
    if "--list" in argv:
        for path in scripts:
            print(path.stem)
        return 0
    if argv:
        wanted = [name.removesuffix(".py").removeprefix("bench/") for name in argv]
        by_name = {path.stem: path for path in scripts}
        unknown = [name for name in wanted if name not in by_name]
        if unknown:
            print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(by_name) or 'none'}")
            return 2
        scripts = [by_name[name] for name in wanted]
    if not scripts:
        print("no benchmarks found in bench/")
        return 0

    results: list[tuple[str, int, float]] = []
    for path in scripts:
        print(f"\n=== bench/{path.name} ===", flush=True)
        started = time.monotonic()
        launcher = LAUNCHER.format(bench=str(BENCH_DIR), path=str(path), module=path.stem)
        try:
            code = subprocess.run([PYTHON, "-c", launcher, *passthrough], cwd=ROOT, check=False).returncode
        except KeyboardInterrupt:
            print("interrupted")
            return 130
        results.append((path.stem, code, time.monotonic() - started))

    print("\n=== summary ===")
    for name, code, seconds in results:
        print(f"  {name:<20} {'ok' if code == 0 else f'FAILED (exit {code})':<18} {seconds:6.0f} s")
    return 1 if any(code for _, code, _ in results) else 0


if __name__ == "__main__":
    sys.exit(main())
