"""Execute the code cells of every notebook in notebooks/ against the built-in simulator.

Notebooks are documentation that runs: this keeps them from rotting. Offline and hermetic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("openrain._engine")
    nb = json.loads(path.read_text())
    scope: dict = {}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        exec(compile(src, f"{path.name}", "exec"), scope)  # noqa: S102 - our own notebook
    out = capsys.readouterr().out
    assert "Hello from the simulator." in out
    assert "/v1/messages" in out  # the last upstream call went to the Anthropic simulator
