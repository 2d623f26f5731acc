"""The cost of each step, cut from the samples taken while a run went on."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from parcours_pipelines.runstats import ResourceSampler, StepSpan, return_freed_memory, rss_mib, run_stats, step_costs

# time (s), process CPU (s), resident MiB: CPU runs at 1 s/s from t=10 to 12, then at 2 s/s; memory peaks at t=13
SAMPLES = np.array([[10.0, 0.0, 100.0], [11.0, 1.0, 150.0], [12.0, 2.0, 120.0], [13.0, 4.0, 900.0],
                    [14.0, 6.0, 300.0]])


def test_each_step_gets_its_wall_cpu_and_peak() -> None:
    rows = step_costs(SAMPLES, [StepSpan("b", 12.0, 14.0), StepSpan("a", 10.0, 12.0)])
    assert [r["step"] for r in rows] == ["a", "b"]  # in start order
    assert rows[0] == {"step": "a", "success": True, "wall_s": 2.0, "cpu_s": 2.0, "peak_rss_mib": 150.0}
    assert rows[1]["cpu_s"] == 4.0 and rows[1]["peak_rss_mib"] == 900.0


def test_cpu_is_interpolated_inside_a_sampling_interval() -> None:
    (row,) = step_costs(SAMPLES, [StepSpan("short", 12.25, 12.75, success=False)])
    assert row["cpu_s"] == pytest.approx(1.0)
    assert row["peak_rss_mib"] == 900.0  # no sample inside: the nearest one to its end
    assert row["success"] is False


def test_a_later_run_of_some_steps_keeps_the_others() -> None:
    first = run_stats(SAMPLES, [StepSpan("a", 10.0, 12.0), StepSpan("b", 12.0, 14.0)], "run-1")
    second = run_stats(SAMPLES, [StepSpan("b", 10.0, 11.0)], "run-2", previous=first)
    assert {(r["step"], r["run_id"]) for r in second["steps"]} == {("a", "run-1"), ("b", "run-2")}
    assert second["total"]["run_id"] == "run-2" and second["total"]["wall_s"] == 4.0
    assert second["total"]["cpu_s"] == 6.0 and second["total"]["peak_rss_mib"] >= 900.0
    assert {"python", "duckdb", "dagster"} <= set(second["versions"])


def test_the_sampler_records_cpu_and_the_memory_in_use() -> None:
    with ResourceSampler(interval=0.01) as sampler:
        block = np.ones(64 * 2**20 // 8)  # 64 MiB, touched
        block += 1
        in_use = rss_mib()
        _ = sum(range(300_000))
    samples = sampler.samples
    assert len(samples) >= 2
    assert (np.diff(samples[:, 0]) >= 0).all() and samples[-1, 1] > samples[0, 1]
    assert samples[:, 2].max() >= in_use - 1 > 64


def test_memory_a_thread_freed_is_handed_back_to_the_system() -> None:
    def churn() -> None:  # small blocks in the thread's own glibc arena, all freed before it ends
        blocks = [np.ones(1_000) for _ in range(40_000)]
        del blocks

    worker = threading.Thread(target=churn)
    worker.start()
    worker.join()
    held = rss_mib()
    assert return_freed_memory()
    assert held - rss_mib() > 100, f"{held:.0f} MiB before, {rss_mib():.0f} MiB after"
