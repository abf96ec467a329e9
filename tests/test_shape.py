"""The house rules of tools/shape.py (run by `make lint`): each is found where it is broken, and the
hub's own tree keeps them all."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def _shape() -> ModuleType:
    spec = importlib.util.spec_from_file_location("shape", ROOT / "tools" / "shape.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["shape"] = module
    spec.loader.exec_module(module)
    return module


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in {"apps/__init__.py": "", "alliance/__init__.py": "", **files}.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (tmp_path / "tests").mkdir(exist_ok=True)
    return tmp_path


def test_an_import_inside_a_function_is_found(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "apps/a/services.py": "def f():\n    from apps.b.models import X\n    import json\n",
            "apps/a/apps.py": "class C:\n    def ready(self):\n        from apps.a import signals\n",
        },
    )
    found = _shape().findings(root)
    assert len(found) == 1 and "apps/a/services.py:2" in found[0] and "apps.b.models" in found[0]


def test_a_query_in_a_view_module_is_found_and_one_in_a_selector_is_not(tmp_path: Path) -> None:
    query = "def page(request):\n    return Thing.objects.filter(owner=request.user)\n"
    root = _tree(tmp_path, {"apps/a/views.py": query, "apps/a/selectors.py": query})
    found = _shape().findings(root)
    assert len(found) == 1 and found[0].startswith("apps/a/views.py:2:")


def test_a_long_function_needs_a_reason(tmp_path: Path) -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(61))
    root = _tree(
        tmp_path,
        {
            "apps/a/long.py": f"def long():\n{body}",
            "apps/a/reasoned.py": f'def long():\n    """Long because one table."""\n{body}',
            "apps/a/short.py": "def short():\n" + "".join(f"    x{i} = {i}\n" for i in range(59)),
        },
    )
    found = _shape().findings(root)
    assert len(found) == 1 and found[0].startswith("apps/a/long.py:1: long() is 62 lines")


def test_a_test_module_importing_another_is_found(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "tests/x/test_one.py": "from tests.x.test_two import DATA\n",
            "tests/x/test_two.py": "from tests.x.data import DATA\n",
            "tests/x/data.py": "DATA = 1\n",
        },
    )
    found = _shape().findings(root)
    assert len(found) == 1 and found[0].startswith("tests/x/test_one.py:1:")


def test_the_hub_keeps_the_house_rules() -> None:
    assert _shape().findings(ROOT) == []
