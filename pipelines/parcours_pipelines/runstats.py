"""What a run cost, step by step: wall seconds, CPU seconds and peak memory (``run_stats.json``).

A :class:`ResourceSampler` thread samples this process's CPU time and resident memory while the
pipeline runs; :func:`step_costs` then cuts the samples at each step's start and end (from the
orchestrator's events) into the cost of each step. Steps run one after the other in the process
(``parcours run``), so each step's CPU and memory are its own; memory peaks shorter than the sampling
interval (50 ms) can be missed, which :func:`process_peak_mib` (the kernel's own high-water mark) bounds.
"""

from __future__ import annotations

import ctypes
import os
import platform
import threading
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

#: The packages whose versions a run records.
PACKAGES = ("parcours", "dagster", "ibis-framework", "duckdb", "pandas", "pyarrow", "pm4py", "hdbscan",
            "scikit-learn", "pymc-marketing", "mlflow")
_PAGE_MIB = os.sysconf("SC_PAGE_SIZE") / 2**20 if hasattr(os, "sysconf") else 4096 / 2**20


@dataclass(frozen=True)
class StepSpan:
    """One step of a run: its name, the assets it made, and when it started and ended (UNIX seconds)."""

    step: str
    start: float
    end: float
    success: bool = True


def rss_mib() -> float:
    """This process's resident memory now, in MiB (0 where ``/proc`` is missing)."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * _PAGE_MIB
    except (OSError, IndexError, ValueError):
        return 0.0


def process_peak_mib() -> float:
    """This process's peak resident memory so far (``VmHWM``), in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def return_freed_memory() -> bool:
    """Hand the heap memory this process has freed back to the operating system, between two steps.

    glibc keeps freed memory in each thread's arena for reuse; the threads of one step (the impact step's
    journeys, DuckDB's workers) would otherwise leave it resident under every later step (140 MiB at 5M
    events). Calls glibc's ``malloc_trim``: well under a millisecond; a full collection of Python's cycles
    first would cost 0.3 s per step on the pipeline's heap and is left to Python's own collector.

    Returns
    -------
    bool
        Whether memory was handed back (False where the C library is not glibc).
    """
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS)
        return False
    return bool(trim(0))


class ResourceSampler:
    """Samples (time, process CPU seconds, resident MiB) every ``interval`` seconds in a daemon thread.

    Use it as a context manager around the work; ``samples`` is then an ``(n, 3)`` array.

    Examples
    --------
    >>> with ResourceSampler(interval=0.01) as sampler:
    ...     _ = sum(range(200_000))
    >>> sampler.samples.shape[1]
    3
    """

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self._rows: list[tuple[float, float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="parcours-sampler", daemon=True)

    def _sample(self) -> None:
        self._rows.append((time.time(), time.process_time(), rss_mib()))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> ResourceSampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    @property
    def samples(self) -> np.ndarray:
        """The samples so far: columns time (UNIX s), CPU seconds of the process, resident MiB."""
        return np.asarray(self._rows, dtype=float).reshape(-1, 3)


def step_costs(samples: np.ndarray | None, spans: list[StepSpan]) -> list[dict[str, object]]:
    """Wall seconds, CPU seconds and peak resident MiB of each step, from the samples taken during the run.

    CPU time is interpolated at the step's start and end; the peak is the largest sample inside the
    step (or the nearest one for a step shorter than the sampling interval). Without samples (a run this
    process did not run: the UI's, the schedule's), CPU and memory are unknown (``None``).

    Returns
    -------
    list of dict
        One per span, in start order: ``step``, ``success``, ``wall_s``, ``cpu_s``, ``peak_rss_mib``.
    """
    rows = []
    for span in sorted(spans, key=lambda s: s.start):
        row = {"step": span.step, "success": span.success, "wall_s": round(span.end - span.start, 3),
               "cpu_s": None, "peak_rss_mib": None}
        if samples is not None and len(samples):
            t, cpu, rss = samples[:, 0], samples[:, 1], samples[:, 2]
            inside = (t >= span.start) & (t <= span.end)
            peak = rss[inside].max() if inside.any() else rss[np.abs(t - span.end).argmin()]
            used = np.interp(span.end, t, cpu) - np.interp(span.start, t, cpu)
            row |= {"cpu_s": round(float(used), 3), "peak_rss_mib": round(float(peak), 1)}
        rows.append(row)
    return rows


def versions() -> dict[str, str]:
    """Python's and the main packages' versions."""
    found = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            continue
    return found


def run_stats(samples: np.ndarray | None, spans: list[StepSpan], run_id: str,
              previous: dict[str, object] | None = None) -> dict[str, object]:
    """The content of ``run_stats.json``: the run's totals, each step's cost and the versions used.

    Parameters
    ----------
    samples, spans
        From :class:`ResourceSampler` (``None`` for a run another process ran: wall times only) and the run's
        step statistics.
    run_id
        The run's id, recorded on the totals and on each step.
    previous
        The file's earlier content: the steps this run did not run are kept (with their own run id), so
        the file of a run of a selection (``parcours report``) still covers every step.
    """
    if samples is not None and len(samples):
        total = {"run_id": run_id, "wall_s": round(float(samples[-1, 0] - samples[0, 0]), 3),
                 "cpu_s": round(float(samples[-1, 1] - samples[0, 1]), 3),
                 "peak_rss_mib": round(max(float(samples[:, 2].max()), process_peak_mib()), 1)}
    else:
        wall = max((s.end for s in spans), default=0.0) - min((s.start for s in spans), default=0.0)
        total = {"run_id": run_id, "wall_s": round(wall, 3), "cpu_s": None, "peak_rss_mib": None}
    steps = [{**row, "run_id": run_id} for row in step_costs(samples, spans)]
    ran = {row["step"] for row in steps}
    kept = [row for row in (previous or {}).get("steps", []) if row.get("step") not in ran]  # type: ignore[union-attr]
    return {"total": total, "steps": kept + steps, "cpus": os.cpu_count(), "versions": versions()}
