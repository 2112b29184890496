"""Finding the rules an event may match without testing every pattern.

Each pattern names (when it can) one top-level field whose conditions are all exact strings,
``source`` first, then ``detail-type``, then the first such field
(:attr:`EventPattern.index_field`). The index keeps, per such field, a dict from value to rules;
patterns without one sit in a short list tested every time. An event then costs one dict lookup
per distinct indexed field (a handful) plus the full test of the few candidate rules, instead of
one test per rule: with rules spread over sources, matching cost stays flat as rules grow
(``benchmarks/event_sources.py``; AWS's own matcher is a state machine whose cost "doesn't depend
on the number of rules", https://github.com/aws/event-ruler).

Candidates come back in rule creation order (by ``seq``), so output never depends on dict or set
order. Complexity: add/remove O(values of the indexed field); candidates O(F + k log k) for F
indexed fields and k candidates.
"""

from __future__ import annotations

from typing import Any, Protocol

from .patterns import EventPattern


class Indexed(Protocol):
    seq: int
    event_pattern: EventPattern | None


class RuleIndex:
    __slots__ = ("_by_field", "_unindexed")

    def __init__(self) -> None:
        #: field -> value -> {seq: rule}
        self._by_field: dict[str, dict[str, dict[int, Any]]] = {}
        self._unindexed: dict[int, Any] = {}

    def add(self, rule: Indexed) -> None:
        pattern = rule.event_pattern
        if pattern is None:
            return
        if pattern.index_field is None:
            self._unindexed[rule.seq] = rule
            return
        by_value = self._by_field.setdefault(pattern.index_field, {})
        for value in pattern.index_values:
            by_value.setdefault(value, {})[rule.seq] = rule

    def remove(self, rule: Indexed) -> None:
        pattern = rule.event_pattern
        if pattern is None:
            return
        if pattern.index_field is None:
            self._unindexed.pop(rule.seq, None)
            return
        by_value = self._by_field.get(pattern.index_field, {})
        for value in pattern.index_values:
            rules = by_value.get(value)
            if rules is not None:
                rules.pop(rule.seq, None)
                if not rules:
                    del by_value[value]
        if not by_value:
            self._by_field.pop(pattern.index_field, None)

    def candidates(self, event: dict[str, Any]) -> list[Any]:
        """Rules whose pattern may match ``event``, in creation order (a superset of matches)."""
        found: dict[int, Any] = dict(self._unindexed) if self._unindexed else {}
        for field, by_value in self._by_field.items():
            value = event.get(field)
            if type(value) is str:
                rules = by_value.get(value)
                if rules:
                    found.update(rules)
            elif type(value) is list:
                for v in value:
                    if type(v) is str:
                        rules = by_value.get(v)
                        if rules:
                            found.update(rules)
        if len(found) > 1:
            return [found[k] for k in sorted(found)]
        return list(found.values())

    def matching(self, event: dict[str, Any]) -> list[Any]:
        """Rules whose pattern matches ``event``, in creation order."""
        return [r for r in self.candidates(event) if r.event_pattern.matches(event)]

    def __len__(self) -> int:
        seqs = set(self._unindexed)
        for by_value in self._by_field.values():
            for rules in by_value.values():
                seqs.update(rules)
        return len(seqs)

    def _check(self) -> None:
        for field, by_value in self._by_field.items():
            assert by_value, field
            for value, rules in by_value.items():
                assert rules, (field, value)
                for rule in rules.values():
                    assert rule.event_pattern.index_field == field
                    assert value in rule.event_pattern.index_values
        for rule in self._unindexed.values():
            assert rule.event_pattern.index_field is None
