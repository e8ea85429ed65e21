"""Domain errors share one base (app/services/errors.py) instead of repeating its __init__."""

import ast
from pathlib import Path

import pytest

from app.services.console.stores import StoreError
from app.services.errors import DomainError
from app.services.mall.errors import SoldOut

SERVICES = Path(__file__).resolve().parents[2] / "app" / "services"


def test_no_domain_error_repeats_the_base_init():
    """A class whose __init__ takes a `code` is the base's job: subclass DomainError instead."""
    repeated = []
    for path in sorted(SERVICES.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ClassDef) and node.name != "DomainError":
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                        if "code" in [a.arg for a in item.args.args]:
                            repeated.append(f"{path.relative_to(SERVICES)}:{node.name}")
    assert repeated == []


@pytest.mark.parametrize(
    ("error", "code", "detail"),
    [(StoreError("stock", left=3), "stock", {"left": 3}), (SoldOut(), "sold_out", {})],
)
def test_a_domain_error_carries_its_code_and_detail(error, code, detail):
    """The code given (or the class's own), str() is the code, the detail as given."""
    assert isinstance(error, DomainError)
    assert (error.code, str(error), error.detail) == (code, code, detail)
