"""`make bench`: start-up to the first shown main window on the large dataset.

Creates the large data dir once (`hescb-desktop --data-dir .bench-data/large init --demo --scale
large`, cached in .bench-data/), then starts the app and a bare PySide6 QMainWindow alternately,
each in a fresh process, offscreen. The app is asked to quit as soon as its window is first shown
(HESCB_BENCH_EXIT_AFTER_SHOW=1) and to print `shown <seconds since start>`, then `ready <seconds>`
once the board is attached (database open, Home filled). The time measured here is wall time from
launching the process to reading each line: what a user waits for. Targets (on `shown`): median
under 1.0 s, and under 3x the bare window's median. `ready` is printed beside them: the app shows
its window from Qt alone and opens the database right after the first paint, so a user sees the
window at `shown` and the data at `ready`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATA = ROOT / ".bench-data"
TARGET_SECONDS = 1.0
TARGET_RATIO = 3.0


class BenchError(Exception):
    """A process did not start, show its window and quit as expected."""


@dataclass(frozen=True)
class Run:
    wall: float  # launch to the `shown` line, measured here
    reported: float | None  # the process's own `shown <seconds>`
    ready: float | None = None  # launch to the `ready` line (the app only), measured here


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONUNBUFFERED="1", HESCB_BENCH_EXIT_AFTER_SHOW="1")
    return env


def ensure_large_data(data_dir: Path) -> None:
    """Create the large demo data dir unless a finished one is there.

    Built in place (the database remembers its path: a moved copy would take a new device id on
    first open), then marked finished by a file beside it, so an interrupted build starts over.
    """
    finished = data_dir.with_name(data_dir.name + ".finished")
    if finished.exists() and (data_dir / "hescb.sqlite").exists():
        return
    shutil.rmtree(data_dir, ignore_errors=True)
    print(f"Creating the large dataset in {data_dir} (once) ...", flush=True)
    started = time.perf_counter()
    cmd = [sys.executable, "-m", "hescb_desktop", "--data-dir", str(data_dir)]
    subprocess.run([*cmd, "init", "--demo", "--scale", "large"], check=True, env=bench_env())
    finished.touch()
    print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)


def timed_start(cmd: list[str], timeout: float) -> Run:
    """Launch `cmd`, wait for its `shown` line, then for it to exit; raise BenchError otherwise."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=bench_env(), cwd=ROOT
    )
    watchdog = threading.Timer(timeout, proc.kill)  # a process that never shows is killed
    watchdog.start()
    try:
        assert proc.stdout is not None
        shown = next((line for line in proc.stdout if line.startswith("shown")), None)
        wall = time.perf_counter() - started
        ready_line = next((line for line in proc.stdout if line.startswith("ready")), None)
        ready = time.perf_counter() - started if ready_line else None
        _, err = proc.communicate()
    finally:
        watchdog.cancel()
    if proc.returncode != 0:
        why = f"killed after {timeout:.0f} s" if proc.returncode == -signal.SIGKILL else ""
        raise BenchError(f"exit status {proc.returncode} {why}: {_tail(err)}")
    if shown is None:
        raise BenchError(f"exited without printing 'shown': {_tail(err)}")
    return Run(wall, _reported_seconds(shown), ready)


def _reported_seconds(line: str) -> float | None:
    try:
        return float(line.split()[1])
    except (IndexError, ValueError):
        return None


def _tail(text: str | None) -> str:
    lines = (text or "").strip().splitlines()
    return " | ".join(lines[-3:]) if lines else "(no stderr)"


def median(runs: list[Run]) -> float:
    return statistics.median(run.wall for run in runs)


def describe(name: str, runs: list[Run]) -> str:
    walls = " ".join(f"{run.wall:.3f}" for run in runs)
    reported = [run.reported for run in runs if run.reported is not None]
    own = f"; own report median {statistics.median(reported):.3f} s" if reported else ""
    return f"{name:<12} median {median(runs):.3f} s  (runs: {walls}{own})"


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="measured runs of each (default 5)")
    parser.add_argument(
        "--data-dir", type=Path, help="an existing data dir to use instead (left as it is)"
    )
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per process")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        data_dir = prepare_data(args.data_dir)
        app_cmd = [sys.executable, "-m", "hescb_desktop", "--data-dir", str(data_dir)]
        bare_cmd = [sys.executable, str(Path(__file__).with_name("bare_window.py"))]
        app_runs, bare_runs = measure(app_cmd, bare_cmd, args.runs, args.timeout)
    except (BenchError, subprocess.CalledProcessError) as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    return report(app_runs, bare_runs)


def prepare_data(given: Path | None) -> Path:
    """The data dir to start the app on: the cached large one, or one the user named."""
    if given is None:
        ensure_large_data(BENCH_DATA / "large")
        return BENCH_DATA / "large"
    if not (given / "hescb.sqlite").is_file():
        raise BenchError(f"no database in {given}")
    return given


def measure(
    app_cmd: list[str], bare_cmd: list[str], runs: int, timeout: float
) -> tuple[list[Run], list[Run]]:
    timed_start(app_cmd, timeout)  # warm-up: file cache, bytecode
    timed_start(bare_cmd, timeout)
    app_runs: list[Run] = []
    bare_runs: list[Run] = []
    for _ in range(runs):  # alternate, so both see the same machine load
        app_runs.append(timed_start(app_cmd, timeout))
        bare_runs.append(timed_start(bare_cmd, timeout))
    return app_runs, bare_runs


def report(app_runs: list[Run], bare_runs: list[Run]) -> int:
    app, bare = median(app_runs), median(bare_runs)
    ratio = app / bare
    print("Start-up to first shown window, large dataset, offscreen, launch to window shown:")
    print(describe("HESCB app", app_runs))
    print(describe("bare window", bare_runs))
    print(f"ratio        {ratio:.2f}x the bare window")
    readies = [run.ready for run in app_runs if run.ready is not None]
    if readies:
        walls = " ".join(f"{value:.3f}" for value in readies)
        print(f"board ready  median {statistics.median(readies):.3f} s  (runs: {walls})")
    fast, close = app < TARGET_SECONDS, ratio < TARGET_RATIO
    print(f"target       under {TARGET_SECONDS:.1f} s: {verdict(fast)}")
    print(f"target       under {TARGET_RATIO:.0f}x bare: {verdict(close)}")
    return 0 if fast and close else 1


if __name__ == "__main__":
    sys.exit(main())
