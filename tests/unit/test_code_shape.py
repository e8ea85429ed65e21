"""The shape STYLE.md asks of app/: modules under 300 lines, functions under 30 (issue 11)."""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 30  # from `def` to the function's last line, docstring included

# "path" (relative to app/) or "path:function" -> why it may be longer. Keep this short.
ALLOWED: dict[str, str] = {}


def _modules() -> dict[str, str]:
    return {p.relative_to(APP).as_posix(): p.read_text("utf-8") for p in sorted(APP.rglob("*.py"))}


def _module_lengths() -> dict[str, int]:
    return {name: len(text.splitlines()) for name, text in _modules().items()}


def _function_lengths() -> dict[str, int]:
    lengths = {}
    for name, text in _modules().items():
        for node in ast.walk(ast.parse(text, filename=name)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                where = f"{name}:{node.name}"
                lengths[where] = max(lengths.get(where, 0), node.end_lineno - node.lineno + 1)
    return lengths


def _report(too_long: dict[str, int], limit: int) -> str:
    rows = sorted(too_long.items(), key=lambda row: -row[1])
    return f"over {limit} lines:\n" + "\n".join(f"  {name}: {n}" for name, n in rows)


def test_the_checks_see_the_app():
    """A wrong path would let both checks pass on nothing."""
    assert len(_modules()) > 100
    assert len(_function_lengths()) > 500


def test_modules_stay_under_300_lines():
    """A longer module holds two concerns: split it by what each part owns."""
    lengths = _module_lengths()
    too_long = {n: k for n, k in lengths.items() if k > MAX_MODULE_LINES and n not in ALLOWED}
    assert not too_long, _report(too_long, MAX_MODULE_LINES)


def test_functions_stay_under_30_lines():
    """A longer function takes more than one step: give the steps names."""
    lengths = _function_lengths()
    too_long = {n: k for n, k in lengths.items() if k > MAX_FUNCTION_LINES and n not in ALLOWED}
    assert not too_long, _report(too_long, MAX_FUNCTION_LINES)


def test_the_allow_list_holds_only_real_exceptions():
    """An entry whose code is gone or now short enough is removed, not kept."""
    lengths = {**_module_lengths(), **_function_lengths()}
    limit = {True: MAX_FUNCTION_LINES, False: MAX_MODULE_LINES}
    stale = [entry for entry in ALLOWED if lengths.get(entry, 0) <= limit[":" in entry]]
    assert stale == []
