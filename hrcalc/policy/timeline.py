"""A timeline of plans: windows that do not overlap, lineage (`continues`), the plan of each day."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from hrcalc.policy.edit import Change, apply_sets
from hrcalc.policy.model import Policy, PolicyError, load_policy


@dataclass(frozen=True, slots=True)
class Unit:
    """A stretch of days under one plan with one set of values: the plan, and its values then."""

    index: int
    plan: Policy  # the plan as written (its id, window and dated values)
    rules: Policy  # the plan with the values in force from `start`
    start: date
    end: date
    first: bool  # the plan's first stretch (its values as at effective_from)


@dataclass(frozen=True, slots=True)
class Timeline:
    """Every plan of a run in window order, checked; which plan and values hold on a day."""

    plans: tuple[Policy, ...]
    units: tuple[Unit, ...] = field(default=())
    _keys: dict[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def of(cls, plans: Policy | Iterable[Policy]) -> Timeline:
        """Check windows, ids and lineage (PolicyError, exit 2), and lay the plans out in time."""
        items = [plans] if isinstance(plans, Policy) else list(plans)
        if not items:
            raise PolicyError("no policy given")
        items.sort(key=lambda p: (p.effective_from, p.effective_to))
        ids = [p.id for p in items]
        for plan_id in ids:
            if ids.count(plan_id) > 1:
                raise PolicyError(f"two plans have the id {plan_id!r}")
        for a, b in itertools.pairwise(items):
            if b.effective_from <= a.effective_to:
                last = min(a.effective_to, b.effective_to)
                raise PolicyError(f"the windows of {a.id} ({a.effective_from} to {a.effective_to}) and {b.id} "
                                  f"({b.effective_from} to {b.effective_to}) overlap: {b.effective_from} to {last}")
        by_id = {p.id: p for p in items}
        for p in items:
            seen = {p.id}
            node = p
            while node.continues is not None:
                if node.continues not in by_id:
                    raise PolicyError(f"{node.id} continues {node.continues!r}, which is not a plan of this run")
                if node.continues in seen:
                    raise PolicyError(f"{p.id}: its continues make a cycle ({' → '.join([*seen, node.continues])})")
                seen.add(node.continues)
                node = by_id[node.continues]
        keys: dict[tuple[str, str], str] = {}
        for p in items:
            for award_id in p.awards:
                keys[(p.id, award_id)] = _lineage_key(by_id, p, award_id)
        units: list[Unit] = []
        for p in items:
            segs = p.segments()
            for i, (start, rules) in enumerate(segs):
                end = segs[i + 1][0] - timedelta(days=1) if i + 1 < len(segs) else p.effective_to
                units.append(Unit(len(units), p, rules, start, end, i == 0))
        return cls(tuple(items), tuple(units), keys)

    @property
    def latest(self) -> Policy:
        return self.plans[-1]

    @property
    def earliest(self) -> Policy:
        return self.plans[0]

    def plan(self, plan_id: str) -> Policy | None:
        return next((p for p in self.plans if p.id == plan_id), None)

    def unit_at(self, day: date) -> Unit | None:
        for unit in self.units:
            if unit.start <= day <= unit.end:
                return unit
        return None

    def plan_at(self, day: date) -> Policy | None:
        unit = self.unit_at(day)
        return unit.plan if unit is not None else None

    def key(self, plan_id: str, award_id: str) -> str:
        """The history key of an award: plans along a lineage share it (rulings.md "Lineage")."""
        return self._keys.get((plan_id, award_id)) or f"{plan_id}\x1f{award_id}"

    def award_ids(self) -> list[str]:
        """Every award id of every plan, the latest plan's order first."""
        out: list[str] = []
        for p in reversed(self.plans):
            out.extend(a for a in p.awards if a not in out)
        return out

    def reading_policy(self) -> Policy:
        """A plan whose awards are every plan's (the latest's spelling first), for reading award and
        tier names in prior_awards and claims."""
        if len(self.plans) == 1:
            return self.plans[0]
        merged = {}
        for p in self.plans:
            merged.update(p.awards)
        latest = self.latest
        return latest.model_copy(update={"awards": {**merged, **latest.awards}})


def _lineage_key(by_id: dict[str, Policy], plan: Policy, award_id: str) -> str:
    node, aid = plan, award_id
    while node.continues is not None:
        rule = node.awards[aid]
        earlier = by_id[node.continues]
        target = rule.continues or aid
        if target not in earlier.awards:
            if rule.continues is not None:
                raise PolicyError(f"{node.id}.awards.{aid} continues {target!r}, which {earlier.id} does not have")
            break
        node, aid = earlier, target
    return f"{node.id}\x1f{aid}"


def timeline_of(plans: Sequence[Policy] | Policy) -> Timeline:
    return plans if isinstance(plans, Timeline) else Timeline.of(plans)


def load_timeline(paths: Sequence[Path] | None = None, sets: Sequence[str] = ()) -> tuple[Timeline, list[Change]]:
    """The plans of these files (the bundled plan when none), with --set edits applied, as a timeline."""
    plans = [load_policy(p) for p in paths] if paths else [load_policy()]
    plans, changes = apply_sets(plans, sets)
    return Timeline.of(plans), changes
