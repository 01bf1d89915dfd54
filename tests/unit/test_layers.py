"""Dependencies point inward: ``domain`` <- ``projections`` <- ``workers`` <- ``api``, and the domain
imports no web framework, SQL, Redis, queue or serialization library (DESIGN.md, "Layers"). The
contracts live in pyproject.toml; ``lint-imports`` checks them here so that CI does."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ) | {"PYTHONPATH": str(cwd)}
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_project_keeps_its_layers() -> None:
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Contracts: 2 kept, 0 broken." in run.stdout


def test_the_contracts_catch_an_outward_import_and_a_framework_in_the_domain(tmp_path: Path) -> None:
    """The same contracts, on a small tree that breaks both: they must fail it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    lines = ["[tool.importlinter]", f"root_packages = {config['root_packages']!r}".replace("'", '"')]
    lines.append("include_external_packages = true")
    for contract in config["contracts"]:
        lines.append("[[tool.importlinter.contracts]]")
        lines += [f"{key} = {value!r}".replace("'", '"') for key, value in contract.items()]
    (tmp_path / "pyproject.toml").write_text("\n".join(lines) + "\n")
    modules = {
        "api": "",
        "workers": "import api\n",  # a job reaching out to the web layer
        "projections": "import domain\n",
        "domain": "import flask\n",  # the domain on a web framework
    }
    for package, source in modules.items():
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text(source)
    run = lint_imports(tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Contracts: 0 kept, 2 broken." in run.stdout
    assert "workers -> api" in run.stdout
    assert "domain -> flask" in run.stdout
