"""The layout's rules (docs/architecture.md, "Rules"), checked on the source so they hold without anyone
remembering them: imports point one way, pure code stays pure, product code never reaches the stand-ins."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("pure", "infra", "core", "capability")
# What each layer may import from campus's own code.
ALLOWED = {"pure": {"pure"}, "infra": {"pure", "infra"}, "core": {"pure", "infra", "core"},
           "capability": {"pure", "infra", "core", "capability"}}
# Pure code does no I/O: no ORM, settings, network or clients.
IMPURE = ("django", "requests", "urllib3", "kubernetes", "gitlab", "ldap3", "hvac", "psycopg", "socket",
          "subprocess", "http", "urllib")
MAX_LINES = 350  # "split a module at about 300 lines"


def product_modules() -> dict[str, Path]:
    modules = {}
    for package in ("campus", "tenants"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def capability_of(module: str) -> str | None:
    """A capability is a Django app nested in tenants (a subpackage with its own apps.py)."""
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == "tenants" and (ROOT / "tenants" / parts[1] / "apps.py").exists():
        return ".".join(parts[:2])
    return None


def layer(module: str) -> str:
    if module.startswith("tenants.engine") or module.split(".")[-1].endswith("rules"):  # rules.py, *_rules.py
        return "pure"
    if module.startswith("tenants.infra"):
        return "infra"
    if capability_of(module):
        return "capability"
    return "core"


def imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The campus module an imported name lives in (`tenants.models.AuditEntry` -> `tenants.models`)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


MODULES = product_modules()


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_one_way(module):
    wrong = []
    for line, name in imports(MODULES[module]):
        if name.split(".")[0] == "devstack":
            wrong.append(f"line {line}: product code imports the stand-in {name}")
        target = resolve(name, MODULES) if name.split(".")[0] in ("tenants", "campus") else None
        if target is None or target == "tenants" or target.startswith("campus"):
            continue
        source_layer, target_layer = layer(module), layer(target)
        if target_layer not in ALLOWED[source_layer]:
            wrong.append(f"line {line}: {source_layer} {module} imports {target_layer} {target}")
        elif source_layer == target_layer == "capability" and capability_of(module) != capability_of(target):
            wrong.append(f"line {line}: capability {module} imports another capability's {target}")
    assert wrong == []


@pytest.mark.parametrize("module", sorted(m for m in MODULES if layer(m) == "pure"))
def test_pure_code_does_no_io(module):
    impure = [f"line {line}: {name}" for line, name in imports(MODULES[module]) if name.split(".")[0] in IMPURE]
    assert impure == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small(module):
    lines = len(MODULES[module].read_text().splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines: split it by noun"


def test_the_checker_sees_a_wrong_arrow():
    """The rules above are only as good as `layer`: a known wrong import must be classified as one."""
    assert layer("tenants.infra.kube") == "infra" and layer("tenants.tenancy.reconcile") == "core"
    assert layer("tenants.lifecycle.rules") == "pure" and layer("tenants.engine.plan") == "pure"
    assert "core" not in ALLOWED["infra"] and "infra" not in ALLOWED["pure"]
    assert resolve("tenants.models.AuditEntry", MODULES) == "tenants.models"


SETTINGS_READERS = {"tenants.infra.settings", "tenants.checks"}  # the readers, and the checks that validate them


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("tenants")))
def test_campus_settings_are_read_in_one_place(module):
    if module in SETTINGS_READERS:
        return
    text = MODULES[module].read_text()
    assert "settings.CAMPUS_" not in text, f"{module} reads CAMPUS_* itself: add a reader to tenants.infra.settings"
