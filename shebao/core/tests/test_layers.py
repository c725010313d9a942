"""The import direction of docs/architecture.md holds for the whole package, and the check catches a wrong import."""

from pathlib import Path

import shebao
from shebao.core.layers import ALLOWED, import_violations

PACKAGE = Path(shebao.__file__).parent


def test_every_import_follows_the_layers():
    violations = import_violations(PACKAGE)
    assert violations == [], "\n".join(str(v) for v in violations)


def test_every_package_is_placed_in_a_layer():
    packages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    assert packages | modules <= set(ALLOWED), sorted((packages | modules) - set(ALLOWED))


def _tree(tmp_path, files):
    root = tmp_path / "shebao"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_wrong_imports_are_reported(tmp_path):
    root = _tree(
        tmp_path,
        {
            "core/__init__.py": "",
            "core/money.py": "from shebao.persons.models import Person\n",  # kernel importing the record
            "persons/__init__.py": "",
            "persons/services.py": "from shebao.contributions import selectors\n",  # record importing money
            "contributions/__init__.py": "",
            "contributions/views.py": "def f():\n    from shebao.portal.views import home\n",  # domain -> pages
            "portal/__init__.py": "",
            "portal/items/__init__.py": "",
            "portal/items/q01.py": "from ...office import views\n",  # relative import across the sites
            "office/__init__.py": "",
            "office/tests/test_x.py": "from shebao.portal import views\n",  # tests may import anything
        },
    )
    found = {(v.importer, v.imported, v.line) for v in import_violations(root)}
    assert found == {
        ("core", "persons", 1),
        ("persons", "contributions", 1),
        ("contributions", "portal", 2),
        ("portal", "office", 1),
    }


def test_allowed_imports_are_not_reported(tmp_path):
    root = _tree(
        tmp_path,
        {
            "persons/__init__.py": "",
            "persons/services.py": "from shebao.core.period import Period\nfrom shebao.parameters import selectors\n",
            "office/__init__.py": "",
            "office/pages.py": "from shebao.declarations.services import declaration_approve\nfrom . import x\n",
        },
    )
    assert import_violations(root) == []
