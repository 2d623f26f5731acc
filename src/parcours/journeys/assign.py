"""Every journey instance gets its variant's journey: a join on the engine, O(instances)."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pandas as pd

from parcours.journeys.clustering import NOISE
from parcours.mining.discovery import variant_text
from parcours.schema import CUSTOMER_ID, JOURNEY_ID, JOURNEY_INSTANCE_ID, TOKENS


def assign_journeys(instances: ir.Table, clusters: ir.Table | pd.DataFrame) -> ir.Table:
    """Journey id and membership probability of every journey instance.

    Parameters
    ----------
    instances
        Journey instances with their ``tokens``.
    clusters
        Every variant with its ``journey_id`` and ``probability``, from discovery.

    Returns
    -------
    ibis.expr.types.Table
        ``customer_id``, ``journey_instance_id``, ``journey_id`` (``-1``: noise, or a sequence
        discovery never saw) and ``probability``, in instance order.
    """
    labels = ibis.memtable(clusters) if isinstance(clusters, pd.DataFrame) else clusters
    labels = labels.select("variant", JOURNEY_ID, "probability")
    named = instances.mutate(variant=variant_text(instances[TOKENS]))
    joined = named.left_join(labels, "variant")
    return joined.select(
        CUSTOMER_ID, JOURNEY_INSTANCE_ID,
        journey_id=joined.journey_id.fill_null(NOISE).cast("int64"),
        probability=joined.probability.fill_null(0.0),
    ).order_by([CUSTOMER_ID, JOURNEY_INSTANCE_ID])


def journey_sizes(assignments: ir.Table) -> ir.Table:
    """Instances and distinct customers per journey (noise included, as ``-1``)."""
    return assignments.group_by(JOURNEY_ID).aggregate(
        n_instances=assignments.count(), n_customers=assignments[CUSTOMER_ID].nunique(),
    ).order_by(ibis.desc("n_instances"))
