"""Identity stitching: one person's devices, cookies and e-mail hashes become one customer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from parcours.ingest.errors import EventLogSchemaError
from parcours.schema import CUSTOMER_ID
from parcours.settings import IdentitySettings


@dataclass(frozen=True)
class IdentityMap:
    """Every known identifier and the canonical customer id it is stitched to."""

    mapping: pd.DataFrame  # columns: identifier, customer_id
    n_links: int
    n_people: int


def read_identity_links(settings: IdentitySettings) -> pd.DataFrame:
    """Read the identity table (CSV or Parquet) as ``identifier, customer`` text columns.

    Raises
    ------
    EventLogSchemaError
        If the file cannot be read or lacks one of the configured columns.
    """
    path = Path(settings.path)
    try:
        frame = pd.read_parquet(path) if path.suffix in {".parquet", ".pq"} else pd.read_csv(path, dtype="string")
    except (OSError, ValueError) as exc:
        raise EventLogSchemaError(f"{path}: cannot read the identity table ({exc})") from exc
    for column in (settings.identifier_column, settings.customer_column):
        if column not in frame.columns:
            raise EventLogSchemaError.missing_column(path, "identity", column, frame.columns)
    links = pd.DataFrame({"identifier": frame[settings.identifier_column], "customer": frame[settings.customer_column]})
    links = links.astype("string").apply(lambda s: s.str.strip())
    return links.dropna().loc[lambda d: (d.identifier != "") & (d.customer != "")]


def resolve_identities(links: pd.DataFrame) -> IdentityMap:
    """Join identifiers that share a customer, and customers that share an identifier (the connected components of
    the graph of links, by scipy).

    Each connected group's canonical id is its smallest *customer* value, so stitched events carry
    a customer id, never a cookie.

    Parameters
    ----------
    links
        ``identifier, customer`` pairs.

    Returns
    -------
    IdentityMap
        ``identifier → customer_id`` for every identifier and customer named in ``links``.
    """
    from scipy.sparse import coo_matrix  # here, not at import: the code location loads this module, not scipy
    from scipy.sparse.csgraph import connected_components

    codes, names = pd.factorize(pd.concat([links.identifier, links.customer], ignore_index=True))
    n = len(links)
    graph = coo_matrix((np.ones(n, dtype=np.int8), (codes[:n], codes[n:])), shape=(len(names), len(names)))
    _, roots = connected_components(graph, directed=False)
    is_customer = np.zeros(len(names), dtype=bool)
    is_customer[codes[n:]] = True
    nodes = pd.DataFrame({"identifier": pd.Series(names, dtype="string"), "root": roots, "is_customer": is_customer})
    canonical = nodes[nodes.is_customer].groupby("root").identifier.min().rename("customer_id")
    mapping = nodes.join(canonical, on="root")[["identifier", "customer_id"]]
    return IdentityMap(mapping=mapping.reset_index(drop=True), n_links=n, n_people=len(canonical))


UNSTITCHED_ID = "unstitched_id"


def stitch(events: ir.Table, identities: IdentityMap) -> ir.Table:
    """Replace each event's customer id by its canonical id; ids not in the map stay as they are.

    The id as it was is kept in ``unstitched_id`` (null where stitching changed nothing).
    """
    ids = ibis.memtable(identities.mapping).rename(_identifier="identifier", _canonical=CUSTOMER_ID)
    joined = events.left_join(ids, events[CUSTOMER_ID] == ids._identifier)
    canonical = joined._canonical.fill_null(joined[CUSTOMER_ID])
    changed = ibis.ifelse(canonical != joined[CUSTOMER_ID], joined[CUSTOMER_ID], ibis.null("string"))
    stitched = joined.mutate(**{CUSTOMER_ID: canonical, UNSTITCHED_ID: changed})
    return stitched.drop("_identifier", "_canonical")
