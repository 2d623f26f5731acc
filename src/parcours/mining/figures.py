"""Readable pictures of journeys: the process map folded to its top edges, and the process model.

Every function returns a figure (a ``graphviz.Digraph`` or a plotly ``Figure``) or its rendered
bytes; nothing is shown or written here. Layouts come from graphviz's ``dot`` program.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import graphviz
import pandas as pd

from parcours.mining.discovery import END, START
from parcours.tokens import split_token

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from parcours.mining.models import ProcessModel

OTHER = "[other]"
_UNITS = ((86_400, "d"), (3_600, "h"), (60, "min"))


def human_duration(seconds: float | None) -> str:
    """``93784`` → ``"1.1 d"``; ``None`` (or NaN) → ``""``."""
    if seconds is None or pd.isna(seconds):
        return ""
    for size, unit in _UNITS:
        if abs(seconds) >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


def fold_process_map(graph: pd.DataFrame, top_edges: int = 20, min_customers: int = 1) -> pd.DataFrame:
    """Keep the ``top_edges`` most frequent edges and route every other move through ``[other]``.

    A folded move ``a → b`` is drawn as ``a → [other]`` and ``[other] → b`` (sides that are not a
    kept token vanish inside ``[other]``), so each kept token's total flow in and out is preserved
    and the picture stays honest without becoming a hairball.

    Parameters
    ----------
    graph
        The process map (``kind``, ``source``, ``target``, ``count``, ``median_s``), as from
        :func:`parcours.mining.directly_follows`.
    top_edges
        How many edges (start and end edges included) to keep by count.
    min_customers
        The privacy floor: an edge that fewer distinct customers take (its ``customers``, when the
        graph has them) is never drawn on its own; it goes through ``[other]``.

    Returns
    -------
    pandas.DataFrame
        ``source``, ``target``, ``count``, ``median_s`` (of the kept edges; null where folded)
        and ``folded`` (true for edges that stand for several), most frequent first.
    """
    public = graph[graph["customers"] >= min_customers] if "customers" in graph.columns else graph
    kept_edges = public.sort_values(["count", "source", "target"], ascending=[False, True, True]).head(top_edges)
    tokens = set(kept_edges.source) | set(kept_edges.target) | {START, END}
    is_kept = graph.index.isin(kept_edges.index)
    rest = graph[~is_kept]
    leaving = rest[rest.source.isin(tokens)].assign(target=OTHER)  # a → [other] → b for every folded move
    entering = rest[rest.target.isin(tokens)].assign(source=OTHER)
    folded = pd.concat([graph[is_kept].assign(_kept=True), leaving.assign(_kept=False), entering.assign(_kept=False)])
    summed = folded.groupby(["source", "target"], as_index=False).agg(
        count=("count", "sum"), median_s=("median_s", "first"), _edges=("count", "size"), _kept=("_kept", "all"))
    summed["folded"] = (summed._edges > 1) | ~summed._kept
    summed.loc[summed.folded, "median_s"] = float("nan")
    ordered = summed.sort_values(["count", "source", "target"], ascending=[False, True, True])
    return ordered.drop(columns=["_edges", "_kept"]).reset_index(drop=True)


def process_map_graph(folded: pd.DataFrame, title: str = "") -> graphviz.Digraph:
    """The folded process map as a left-to-right graph: widths by count, labels with the median time.

    Moves between a token and ``[other]`` are written in the token's box (``other: in … · out …``)
    rather than drawn, so the kept moves read clearly; only ``[start]``/``[end]`` link to ``[other]``.
    """
    dot = graphviz.Digraph("process_map", graph_attr={"rankdir": "LR", "label": title, "labelloc": "t",
                                                      "fontname": "Helvetica", "bgcolor": "white"},
                           node_attr={"fontname": "Helvetica", "fontsize": "11"},
                           edge_attr={"fontname": "Helvetica", "fontsize": "9", "color": "#4c72b0"})
    top = max(float(folded["count"].max()), 1.0) if len(folded) else 1.0
    drawn, from_other, to_other = _split_other(folded)
    ids = _node_ids(drawn)
    for token, node in ids.items():
        style = _node_style(token)
        if token in to_other.index or token in from_other.index:
            style["label"] += f"\nother: in {from_other.get(token, 0):,} · out {to_other.get(token, 0):,}"
        dot.node(node, **style)
    for edge in drawn.itertuples():
        label = f"{edge.count:,}" + (f"\n{human_duration(edge.median_s)}" if not pd.isna(edge.median_s) else "")
        style = {"style": "dashed", "color": "#aaaaaa", "fontcolor": "#888888"} if edge.folded else {}
        dot.edge(ids[edge.source], ids[edge.target], label=label, penwidth=f"{1 + 5 * edge.count / top:.2f}", **style)
    return dot


def process_map_figure(folded: pd.DataFrame, title: str = "Process map") -> go.Figure:
    """The folded process map as an interactive plotly figure, laid out by graphviz.

    Hovering a token shows its name; hovering the middle of an edge shows its count and median time.
    """
    import plotly.graph_objects as go

    layout = json.loads(process_map_graph(folded).pipe(format="json"))
    at = {obj["name"]: tuple(map(float, obj["pos"].split(","))) for obj in layout.get("objects", [])}
    drawn, from_other, to_other = _split_other(folded)
    ids = _node_ids(drawn)
    fig = go.Figure()
    top = max(float(folded["count"].max()), 1.0) if len(folded) else 1.0
    mids = []
    for edge in drawn.itertuples():
        (x0, y0), (x1, y1) = at[ids[edge.source]], at[ids[edge.target]]
        fig.add_annotation(x=x1, y=y1, ax=x0, ay=y0, xref="x", yref="y", axref="x", ayref="y", showarrow=True,
                           arrowhead=2, arrowwidth=1 + 5 * edge.count / top, standoff=14, startstandoff=14,
                           arrowcolor="#999999" if edge.folded else "#4c72b0", opacity=0.7)
        mids.append(((x0 + x1) / 2, (y0 + y1) / 2,
                     f"{edge.source} → {edge.target}<br>{edge.count:,} times {human_duration(edge.median_s)}"))
    if mids:
        fig.add_trace(go.Scatter(x=[m[0] for m in mids], y=[m[1] for m in mids], mode="markers",
                                 marker={"size": 6, "color": "rgba(76,114,176,0.3)"},
                                 hovertext=[m[2] for m in mids], hoverinfo="text", name="edges"))
    hover = [f"{t}<br>other: in {from_other.get(t, 0):,} · out {to_other.get(t, 0):,}" for t in ids]
    fig.add_trace(go.Scatter(x=[at[n][0] for n in ids.values()], y=[at[n][1] for n in ids.values()],
                             mode="markers+text", text=list(ids), hovertext=hover, textposition="top center",
                             hoverinfo="text",
                             marker={"size": 14, "color": "#dd8452", "line": {"width": 1, "color": "white"}},
                             name="tokens"))
    fig.update_layout(title=title, showlegend=False, plot_bgcolor="white", margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      xaxis={"visible": False}, yaxis={"visible": False})
    return fig


def model_graphs(model: ProcessModel) -> dict[str, graphviz.Digraph]:
    """The process model drawn by pm4py's visualisers: ``bpmn`` and ``petri_net``."""
    from pm4py.visualization.bpmn import visualizer as bpmn_visualizer
    from pm4py.visualization.petri_net import visualizer as petri_visualizer

    with _plain_labels(model) as shown:
        return {
            "bpmn": bpmn_visualizer.apply(shown.bpmn, parameters={"format": "svg"}),
            "petri_net": petri_visualizer.apply(shown.net, shown.initial_marking, shown.final_marking,
                                                parameters={"format": "svg"}),
        }


def plain_label(text: str) -> str:
    """A label graphviz draws as the text it is: one written ``<...>`` is otherwise read as an HTML label.

    An invisible zero-width space goes in front of such a label: it survives code (pm4py's) that turns the
    label back into a plain string, which ``graphviz.nohtml`` would not.

    Examples
    --------
    >>> import graphviz
    >>> graphviz.quoting.quote(plain_label("<a & b>")) == '"\u200b<a & b>"', plain_label("a & b")
    (True, 'a & b')
    """
    if isinstance(text, str) and text.startswith("<") and text.endswith(">"):
        return "\u200b" + text
    return text


@contextmanager
def _plain_labels(model: ProcessModel) -> Iterator[ProcessModel]:
    """The model with labels graphviz cannot mistake for HTML while it is drawn, restored after (pm4py's BPMN
    objects do not survive a deep copy)."""
    transitions, nodes = list(model.net.transitions), list(model.bpmn.get_nodes())
    labels, names = [t.label for t in transitions], [n.get_name() for n in nodes]
    try:
        for transition in transitions:
            transition.label = plain_label(transition.label)
        for node in nodes:
            node.set_name(plain_label(node.get_name()))
        yield model
    finally:
        for transition, label in zip(transitions, labels, strict=True):
            transition.label = label
        for node, name in zip(nodes, names, strict=True):
            node.set_name(name)


def render(graph: graphviz.Digraph, fmt: str = "svg") -> bytes:
    """Lay out and render a graph with ``dot`` (``svg`` or ``png``)."""
    return graph.pipe(format=fmt)


def _split_other(folded: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """The edges to draw, and per token the folded flow in from and out to ``[other]`` (written, not drawn)."""
    to_other = folded[(folded.target == OTHER) & (folded.source != START)].set_index("source")["count"]
    from_other = folded[(folded.source == OTHER) & (folded.target != END)].set_index("target")["count"]
    drawn = folded[~(folded.source.isin(to_other.index) & (folded.target == OTHER))
                   & ~(folded.target.isin(from_other.index) & (folded.source == OTHER))]
    return drawn, from_other, to_other


def _node_ids(folded: pd.DataFrame) -> dict[str, str]:
    """Plain node ids (``n0``, ``n1``, ...): graphviz reads ``:`` in a name as a port."""
    tokens = pd.unique(folded[["source", "target"]].to_numpy().ravel())
    return {token: f"n{i}" for i, token in enumerate(tokens)}


def _node_style(token: str) -> dict[str, str]:
    if token in (START, END):
        return {"label": plain_label(token.strip("[]")), "shape": "circle", "style": "filled", "fillcolor": "#55a868",
                "fontcolor": "white", "width": "0.6", "fixedsize": "true"}
    if token == OTHER:
        return {"label": "other", "shape": "box", "style": "dashed,rounded", "color": "#999999"}
    activity, channel = split_token(token)
    label = f"{activity}\n{channel}" if channel else activity
    return {"label": plain_label(label), "shape": "box", "style": "rounded,filled", "fillcolor": "#eaf0f8",
            "color": "#4c72b0", "fontsize": "11"}


def draw_process_map(graph: pd.DataFrame, edges: int = 20, min_customers: int = 1) -> dict[str, object]:
    """The process map folded to its ``edges`` most frequent moves (each taken by ``min_customers``), drawn three ways.

    Returns
    -------
    dict
        ``svg`` and ``png`` (bytes, rendered by graphviz) and ``figure`` (an interactive plotly
        ``Figure``); ``folded`` is the table drawn (see :func:`fold_process_map`).
    """
    folded = fold_process_map(graph, edges, min_customers)
    title = f"Process map: the {min(edges, len(graph))} most frequent of {len(graph)} moves, the rest through other"
    dot = process_map_graph(folded, title)
    return {"folded": folded, "svg": render(dot, "svg"), "png": render(dot, "png"),
            "figure": process_map_figure(folded, title)}


#: Models with more activities than this are not laid out: graphviz takes many minutes on a few hundred
#: activities (a log of page URLs), and a picture of them could not be read; the BPMN file has the model.
MAX_DRAWN_ACTIVITIES = 80


def draw_model(model: ProcessModel, max_activities: int = MAX_DRAWN_ACTIVITIES) -> dict[str, bytes]:
    """The process model rendered: ``bpmn.svg``, ``petri_net.svg`` and ``bpmn.png``.

    A model with more than ``max_activities`` activities is drawn as a note that says so and where the
    model is (``model.bpmn``, ``model.pnml``).
    """
    activities = len({t.label for t in model.net.transitions if t.label})
    if activities > max_activities:
        note = graphviz.Digraph("too_large", graph_attr={"label": plain_label(
            f"{activities} activities: too many to draw readably (the model is in model.bpmn and model.pnml)")})
        note.node("n0", label=plain_label(f"process model: {activities} activities"), shape="box")
        return {"bpmn.svg": render(note, "svg"), "petri_net.svg": render(note, "svg"), "bpmn.png": render(note, "png")}
    graphs = model_graphs(model)
    return {"bpmn.svg": render(graphs["bpmn"], "svg"), "petri_net.svg": render(graphs["petri_net"], "svg"),
            "bpmn.png": render(graphs["bpmn"], "png")}
