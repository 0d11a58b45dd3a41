"""Read a value of the production settings as they come out of a given environment (in a fresh interpreter: the
settings module reads the environment once, at import)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def probe(tmp_path: Path, environment: dict[str, str], expression: str):
    """The value of ``expression`` (evaluated in ``techtransfer.config.settings``), JSON-encoded and decoded."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TECHTRANSFER_", "PROMETHEUS_"))}
    env.update({"TECHTRANSFER_DATA_DIR": str(tmp_path / "probe-data"), "PYTHONPATH": str(SRC), **environment})
    code = ("import json, techtransfer.config.settings as s; "
            f"print(json.dumps(eval({expression!r}, vars(s)), default=str))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    if out.returncode:
        raise RuntimeError(out.stderr.strip().splitlines()[-1])
    return json.loads(out.stdout)
