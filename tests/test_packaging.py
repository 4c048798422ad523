"""The package as a user installs it: a wheel (not editable) in a fresh virtual environment, run
from a directory that is not the source tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_an_installed_wheel_finds_its_prompts_and_runs_the_replayed_build(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(dist), str(ROOT)], check=True, capture_output=True)
    wheel = next(dist.glob("briefing-*.whl"))

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    purelib = Path(sysconfig.get_path("purelib", vars={"base": str(env_dir), "platbase": str(env_dir)}))
    # The dependencies come from this environment (no network); the package itself only from the wheel.
    (purelib / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    py = env_dir / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q", str(wheel)],
                   check=True, capture_output=True)
    assert not (purelib / "prompts").exists()  # the prompts ship inside the package, nothing at top level

    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRIEFING_", "OPENAI_"))}
    env["BRIEFING_HOME"] = str(tmp_path / "home")
    done = subprocess.run(
        [str(env_dir / "bin" / "briefing"), "build", str(ROOT / "seeds"), "--replay", str(ROOT / "fixtures" / "seeds"),
         "--format", "json", "--quiet"],
        cwd=work, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert len(doc["points"]) >= 8
    where = subprocess.run([str(py), "-c", "import summarizer.prompts as p; print(p.default_dir())"],
                           cwd=work, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(str(purelib)) and where.endswith("summarizer/prompt_files")
