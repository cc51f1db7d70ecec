"""The risk graph: one networkx ``DiGraph`` per enterprise (docs/semantics.md, "The graph").

Node keys are the records' stable string ids; each node has ``kind`` (``area``, ``post``,
``risk_point``, ``hazard``, ``risk``, ``control``, ``inspection_item``, ``hidden_danger``,
``major_hazard_installation``) and ``record`` (the attrs object).  Edges carry ``relation``::

    hazard --causes--> risk              control --mitigates--> risk
    hidden_danger --degrades--> control   risk / risk_point --located_in--> area
    area --part_of--> area                control --owned_by--> post
    inspection_item --checks--> control  major_hazard_installation --located_in--> area
    monitoring_point --monitors--> control, --located_in--> area

:func:`build_graph` returns the bare networkx graph (for networkx's own algorithms); the
queries a platform needs are methods of :class:`RiskGraph`, which wraps it.  Nothing here
mutates the graph except :meth:`RiskGraph.add_hidden_danger`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs
import networkx as nx

from dualprev_core.errors import UnknownReference, suggest
from dualprev_core.model.records import Area, Control, Enterprise, Post, Risk
from dualprev_core.model.vocabulary import OwnerLevel

__all__ = [
    "build_graph",
    "area_chains",
    "RiskGraph",
    "Responsibility",
    "CAUSES",
    "MITIGATES",
    "DEGRADES",
    "LOCATED_IN",
    "PART_OF",
    "OWNED_BY",
    "CHECKS",
    "MONITORS",
]

CAUSES, MITIGATES, DEGRADES, LOCATED_IN, PART_OF, OWNED_BY, CHECKS, MONITORS = (
    "causes", "mitigates", "degrades", "located_in", "part_of", "owned_by", "checks", "monitors",
)


def build_graph(enterprise: Enterprise) -> nx.DiGraph:
    """Build the directed risk graph of ``enterprise`` (a new graph each call)."""
    G = nx.DiGraph(enterprise=enterprise.id)
    for a in enterprise.areas:
        G.add_node(a.id, kind="area", record=a)
    for a in enterprise.areas:
        if a.parent:
            G.add_edge(a.id, a.parent, relation=PART_OF)
    for p in enterprise.posts:
        G.add_node(p.id, kind="post", record=p)
    for rp in enterprise.risk_points:
        G.add_node(rp.id, kind="risk_point", record=rp)
        G.add_edge(rp.id, rp.area, relation=LOCATED_IN)
    for h in enterprise.hazards:
        G.add_node(h.id, kind="hazard", record=h)
    for r in enterprise.risks:
        G.add_node(r.id, kind="risk", record=r)
        G.add_edge(r.id, r.area, relation=LOCATED_IN)
        for hazard_id in r.hazards:
            G.add_edge(hazard_id, r.id, relation=CAUSES)
    for c in enterprise.controls:
        G.add_node(c.id, kind="control", record=c)
        for risk_id in c.mitigates:
            G.add_edge(c.id, risk_id, relation=MITIGATES)
        if c.post:
            G.add_edge(c.id, c.post, relation=OWNED_BY)
    for it in enterprise.inspection_items:
        G.add_node(it.id, kind="inspection_item", record=it)
        G.add_edge(it.id, it.control, relation=CHECKS)
    for m in enterprise.major_hazard_installations:
        G.add_node(m.id, kind="major_hazard_installation", record=m)
        G.add_edge(m.id, m.area, relation=LOCATED_IN)
    for mp in enterprise.monitoring_points:
        G.add_node(mp.id, kind="monitoring_point", record=mp)
        if mp.control:
            G.add_edge(mp.id, mp.control, relation=MONITORS)
        if mp.area:
            G.add_edge(mp.id, mp.area, relation=LOCATED_IN)
    return G


def area_chains(enterprise: Enterprise) -> dict[str, tuple[str, ...]]:
    """Each area's chain: the area, then its parents up to the root (the ``part_of`` edges; the
    loader refuses cycles).  The one definition of the area hierarchy: :class:`RiskGraph` and the
    assessment's per-area colours both use it."""
    parent = {a.id: a.parent for a in enterprise.areas}
    chains: dict[str, tuple[str, ...]] = {}
    for a in parent:
        chain, cur = [a], parent[a]
        while cur is not None and cur in parent:
            chain.append(cur)
            cur = parent[cur]
        chains[a] = tuple(chain)
    return chains


@attrs.frozen
class Responsibility:
    """Who answers for a risk through one control: the control, its owner level and post."""

    control: str
    owner_level: OwnerLevel
    post: str | None


class RiskGraph:
    """The graph of one enterprise with the queries a platform needs."""

    def __init__(self, enterprise: Enterprise) -> None:
        self.enterprise = enterprise
        self.G = build_graph(enterprise)
        self._chains = area_chains(enterprise)

    # -- lookup ---------------------------------------------------------------------------
    def record(self, node: str, kind: str | None = None) -> Any:
        """The record of ``node``; raises :class:`UnknownReference` (with suggestions) if absent."""
        data = self.G.nodes.get(node)
        if data is None or (kind is not None and data["kind"] != kind):
            pool = [n for n, d in self.G.nodes(data=True) if kind is None or d["kind"] == kind]
            raise UnknownReference(f"{node!r} is not a known {kind or 'node'}{suggest(node, pool)}")
        return data["record"]

    def nodes_of(self, kind: str) -> Iterator[str]:
        return (n for n, k in self.G.nodes(data="kind") if k == kind)

    def _related(self, node: str, relation: str, *, incoming: bool = False) -> list[str]:
        edges = self.G.in_edges(node, data="relation") if incoming else self.G.out_edges(node, data="relation")
        return [u if incoming else v for u, v, rel in edges if rel == relation]

    # -- areas ----------------------------------------------------------------------------
    def area_ancestors(self, area: str, *, include_self: bool = True) -> list[str]:
        """``area`` and its parents up to the root (nearest first)."""
        self.record(area, "area")
        chain = self._chains[area]
        return list(chain if include_self else chain[1:])

    def sub_areas(self, area: str) -> list[str]:
        """``area`` and every area below it."""
        self.record(area, "area")
        out, todo = [], [area]
        while todo:
            a = todo.pop()
            out.append(a)
            todo += self._related(a, PART_OF, incoming=True)
        return out

    def risks_in_area(self, area: str, *, recursive: bool = True) -> list[Risk]:
        """The risks located in ``area`` (and, by default, in the areas below it)."""
        areas = self.sub_areas(area) if recursive else [self.record(area, "area").id]
        return [self.G.nodes[r]["record"] for a in areas for r in self._related(a, LOCATED_IN, incoming=True)
                if self.G.nodes[r]["kind"] == "risk"]

    # -- risks and controls ---------------------------------------------------------------
    def controls_of(self, risk: str) -> list[Control]:
        """The controls that mitigate ``risk``."""
        self.record(risk, "risk")
        return [self.G.nodes[c]["record"] for c in self._related(risk, MITIGATES, incoming=True)]

    def risks_affected_by(self, control: str) -> list[Risk]:
        """The risks ``control`` mitigates (what its failure raises)."""
        self.record(control, "control")
        return [self.G.nodes[r]["record"] for r in self._related(control, MITIGATES)]

    def hazards_of(self, risk: str) -> list[Any]:
        self.record(risk, "risk")
        return [self.G.nodes[h]["record"] for h in self._related(risk, CAUSES, incoming=True)]

    def inspection_items_of(self, control: str) -> list[Any]:
        self.record(control, "control")
        return [self.G.nodes[i]["record"] for i in self._related(control, CHECKS, incoming=True)]

    def responsible_for(self, risk: str) -> list[Responsibility]:
        """Owner levels and posts answering for ``risk`` through its controls, highest level first."""
        out = [Responsibility(c.id, c.owner_level, c.post) for c in self.controls_of(risk)]
        return sorted(out, key=lambda r: (-r.owner_level.rank, r.control))

    def posts_of(self, risk: str) -> list[Post]:
        """The posts that own a control of ``risk`` (for the post risk card, 告知卡)."""
        seen = dict.fromkeys(r.post for r in self.responsible_for(risk) if r.post)
        return [self.G.nodes[p]["record"] for p in seen]

    def risks_of_post(self, post: str) -> list[Risk]:
        """The risks whose controls ``post`` owns."""
        self.record(post, "post")
        controls = self._related(post, OWNED_BY, incoming=True)
        seen = dict.fromkeys(r for c in controls for r in self._related(c, MITIGATES))
        return [self.G.nodes[r]["record"] for r in seen]

    # -- hidden dangers -------------------------------------------------------------------
    def add_hidden_danger(self, hd_id: str, control: str, **attrs_: Any) -> None:
        """Add a hidden-danger node degrading ``control`` (the graph's only mutation)."""
        self.record(control, "control")
        self.G.add_node(hd_id, kind="hidden_danger", **attrs_)
        self.G.add_edge(hd_id, control, relation=DEGRADES)

    def hidden_dangers_on(self, control: str) -> list[str]:
        return self._related(control, DEGRADES, incoming=True)

    def areas(self) -> list[Area]:
        return [self.G.nodes[a]["record"] for a in self.nodes_of("area")]
