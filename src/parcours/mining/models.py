"""A readable process model of journey instances: pm4py's Inductive Miner on the frequent variants.

The model is discovered on the variants that cover a configured share of the instances (each
replicated in proportion to its count, capped, so the infrequent filter sees true relative
frequencies), and every instance is replayed against it. Token-based replay depends only on the
sequence, so each distinct variant is replayed once and weighted by its count: the cost grows
with distinct sequences, not with customers, and no alignments are ever run on the whole log.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd

from parcours.mining.discovery import VARIANT_SEPARATOR
from parcours.schema import JOURNEY_ID

_KEYS = {"case_id_key": "case", "activity_key": "activity", "timestamp_key": "time"}
_QUIET = {"show_progress_bar": False}


@dataclass(frozen=True)
class ProcessModel:
    """A Petri net with its markings and BPMN, and which variants it was discovered from."""

    net: Any
    initial_marking: Any
    final_marking: Any
    bpmn: Any
    variants_used: int
    coverage: float
    cases_used: int


@dataclass(frozen=True)
class ReplayFitness:
    """Token-based replay of instances against a model, weighted by instance counts."""

    log_fitness: float
    fitting_share: float
    average_trace_fitness: float
    instances: int
    variants: int
    instances_not_replayed: int = 0
    variants_not_replayed: int = 0


def variant_log(variants: pd.DataFrame, max_cases: int | None = None) -> pd.DataFrame:
    """An event log (``case, activity, time``) with each variant repeated in proportion to its count.

    Parameters
    ----------
    variants
        ``variant`` (tokens joined by `` → ``) and ``count``.
    max_cases
        Scale counts down so the log has about this many cases (each variant at least once);
        ``None`` repeats each variant exactly ``count`` times.
    """
    counts = variants["count"].to_numpy(dtype=float)
    scale = min(1.0, max_cases / counts.sum()) if max_cases else 1.0
    repeats = np.maximum(1, np.round(counts * scale)).astype(int)
    cases = pd.DataFrame({"variant": np.repeat(variants.variant.to_numpy(), repeats)})
    cases["case"] = [f"{i:09d}" for i in range(len(cases))]  # sortable: pm4py's order is ours
    steps = cases.assign(activity=cases.variant.str.split(VARIANT_SEPARATOR)).explode("activity")
    steps["time"] = pd.Timestamp("2000-01-01", tz="UTC") + pd.to_timedelta(steps.groupby("case").cumcount(), "s")
    return steps[["case", "activity", "time"]].reset_index(drop=True)


def discover_process_model(
    variants: pd.DataFrame, *, coverage: float = 0.8, noise_threshold: float = 0.2, max_cases: int = 20_000
) -> ProcessModel:
    """Inductive Miner (infrequent) on the most frequent variants that cover ``coverage`` of the instances.

    Parameters
    ----------
    variants
        The variants table (``variant``, ``count``, ``share``, ``cum_share``), most frequent first.
    coverage
        Share of instances whose variants the model is discovered from.
    noise_threshold
        The Inductive Miner's infrequent-behaviour threshold (0 = keep everything).
    max_cases
        Cap on the replicated cases handed to pm4py.
    """
    import pm4py

    frequent = variants[variants.cum_share - variants.share < coverage]
    log = variant_log(frequent, max_cases)
    net, im, fm = pm4py.discover_petri_net_inductive(log, noise_threshold=noise_threshold, **_KEYS)
    return ProcessModel(net, im, fm, pm4py.convert_to_bpmn(net, im, fm), variants_used=len(frequent),
                        coverage=float(frequent["count"].sum() / variants["count"].sum()),
                        cases_used=int(log.case.nunique()))


def replay_fitness(model: ProcessModel, variants: pd.DataFrame, max_steps: int | None = None) -> ReplayFitness:
    """Token-based replay of every instance, computed once per distinct variant and weighted by count.

    Equals pm4py's ``fitness_token_based_replay`` on the log with every instance (a test checks it).
    ``max_steps`` leaves out the variants longer than that (a bot's 100,000 steps exhaust pm4py's
    memory); how many instances and variants were left out is part of the result.
    """
    import pm4py

    everything = variants
    if max_steps is not None:
        lengths = variants.variant.str.count(VARIANT_SEPARATOR) + 1
        variants = variants[lengths <= max_steps]
    left_out = {"instances_not_replayed": int(everything["count"].sum() - variants["count"].sum()),
                "variants_not_replayed": len(everything) - len(variants)}
    if variants.empty:
        nan = float("nan")
        return ReplayFitness(nan, nan, nan, instances=0, variants=0, **left_out)
    traces = variant_log(variants.assign(count=1))  # one case per variant, in the table's order
    with _remembered_final_lookups(model.net):
        diagnostics = pm4py.conformance_diagnostics_token_based_replay(
            traces, model.net, model.initial_marking, model.final_marking, opt_parameters=_QUIET, **_KEYS
        )
    if len(diagnostics) != len(variants):
        raise RuntimeError(f"replayed {len(diagnostics)} traces for {len(variants)} variants")
    diag = pd.DataFrame(diagnostics)
    weight = variants["count"].to_numpy(dtype=float)
    totals = {k: float((diag[k] * weight).sum()) for k in ("missing_tokens", "consumed_tokens",
                                                            "remaining_tokens", "produced_tokens")}
    log_fitness = 0.5 * (1 - totals["missing_tokens"] / totals["consumed_tokens"]) + 0.5 * (
        1 - totals["remaining_tokens"] / totals["produced_tokens"])
    return ReplayFitness(
        log_fitness=log_fitness,
        fitting_share=float((diag.trace_is_fit * weight).sum() / weight.sum()),
        average_trace_fitness=float((diag.trace_fitness * weight).sum() / weight.sum()),
        instances=int(weight.sum()), variants=len(variants), **left_out,
    )


@contextmanager
def _remembered_final_lookups(net: Any) -> Iterator[None]:
    """Remember, for one net and one replay, which visible transitions each final marking eventually enables.

    pm4py's token replay ends every trace by searching the net for the visible transitions its final
    marking enables through silent ones (a diagnostic we do not read). The search depends on the net and
    the marking alone, and a few hundred markings end ten thousand variants, yet pm4py searches again for
    each: half the replay at 5M events (13.6 s → 6.3 s remembered, equal results). The memory holds this
    net only, lives for this replay, and hands out copies, so nothing outside it can change.
    """
    from pm4py.objects.petri_net.utils import align_utils

    search = align_utils.get_visible_transitions_eventually_enabled_by_marking
    found: dict[frozenset, frozenset] = {}

    def remembered(searched_net: Any, marking: Any) -> set:
        if searched_net is not net:
            return search(searched_net, marking)
        key = frozenset(marking.items())
        if key not in found:
            found[key] = frozenset(search(searched_net, marking))
        return set(found[key])

    with mock.patch.object(align_utils, "get_visible_transitions_eventually_enabled_by_marking", remembered):
        yield


def model_documents(model: ProcessModel) -> dict[str, str]:
    """The model as text: PNML (Petri net with markings) and BPMN 2.0 XML."""
    from pm4py.objects.bpmn.exporter.variants.etree import get_xml_string
    from pm4py.objects.petri_net.exporter.variants.pnml import export_petri_as_string

    pnml = export_petri_as_string(model.net, model.initial_marking, model.final_marking)
    bpmn = get_xml_string(model.bpmn)
    return {"pnml": pnml.decode() if isinstance(pnml, bytes) else pnml,
            "bpmn": bpmn.decode() if isinstance(bpmn, bytes) else bpmn}


def describe_model(model: ProcessModel, fitness: ReplayFitness) -> dict[str, float]:
    """Summary numbers of a model and its replay fitness."""
    return {
        "log_fitness": round(fitness.log_fitness, 4),
        "fitting_share": round(fitness.fitting_share, 4),
        "average_trace_fitness": round(fitness.average_trace_fitness, 4),
        "variants_used": float(model.variants_used),
        "instances_not_replayed": float(fitness.instances_not_replayed),
        "coverage": round(model.coverage, 4),
        "transitions": float(sum(1 for t in model.net.transitions if t.label)),
        "silent_transitions": float(sum(1 for t in model.net.transitions if not t.label)),
        "places": float(len(model.net.places)),
    }


def fits_its_variants(summary: dict[str, float], noise_threshold: float) -> tuple[bool, float]:
    """Whether a model fits at least the instances it was discovered from, less what its noise filter may drop.

    The model is discovered on the most frequent variants covering ``coverage`` of the instances, and the
    Inductive Miner (infrequent) may leave out up to ``noise_threshold`` of their behaviour, so at least
    ``coverage × (1 − noise_threshold)`` of the instances should replay without a missing or remaining
    token. A model below that floor lost more than it was allowed to.

    Parameters
    ----------
    summary
        :func:`describe_model` of the model (``fitting_share``, ``coverage``).
    noise_threshold
        The noise threshold it was discovered with.

    Returns
    -------
    tuple
        Whether it fits, and the floor.

    Examples
    --------
    >>> fits_its_variants({"fitting_share": 0.59, "coverage": 0.80}, 0.2)
    (False, 0.64)
    """
    floor = round(float(summary["coverage"]) * (1 - noise_threshold), 4)
    return bool(summary["fitting_share"] >= floor), floor


def journey_models(
    clusters: pd.DataFrame, *, journeys: int = 12, coverage: float = 0.8, noise_threshold: float = 0.2,
    max_cases: int = 20_000, max_steps: int | None = None,
) -> dict[int, tuple[ProcessModel, ReplayFitness]]:
    """A process model per discovered journey (the largest ``journeys``), on its own variants.

    Parameters
    ----------
    clusters
        Every variant with its ``journey_id`` (``-1``: noise, skipped) and ``count``.
    journeys
        How many journeys, largest first.
    coverage, noise_threshold, max_cases
        As for :func:`discover_process_model`, within each journey.
    max_steps
        As for :func:`replay_fitness`.

    Returns
    -------
    dict
        journey id → (model, replay fitness of all the journey's instances).
    """
    members = clusters[clusters.journey_id >= 0]
    largest = members.groupby(JOURNEY_ID)["count"].sum().sort_values(ascending=False, kind="stable")
    models = {}
    for journey_id in largest.index[:journeys]:
        table = members[members.journey_id == journey_id].sort_values(["count", "variant"], ascending=[False, True])
        share = table["count"] / table["count"].sum()
        table = table.assign(share=share, cum_share=share.cumsum())
        model = discover_process_model(table, coverage=coverage, noise_threshold=noise_threshold, max_cases=max_cases)
        models[int(journey_id)] = (model, replay_fitness(model, table, max_steps))
    return models
