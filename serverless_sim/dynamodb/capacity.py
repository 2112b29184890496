"""Capacity-unit arithmetic and the ``ConsumedCapacity`` response member.

AWS behaviour modelled (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ProvisionedThroughput.html,
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ConsumedCapacity.html):

* a read unit covers 4 KB (4096 B) strongly consistent; eventually consistent costs half;
  transactional costs double. A read that finds nothing still costs the minimum (1 or 0.5).
* a write unit covers 1 KB (1024 B); transactional costs double. Put/Update cost
  ``ceil(max(old, new) / 1 KB)``, Delete ``ceil(old / 1 KB)``, a write of nothing at least 1.
* Query/Scan sum the sizes of *all items read* and round up once.
* index write amplification: per affected index, 0, 1 or 2 writes (delete + put when the index
  key changes), each sized by its index entry. GSI units are charged to the GSI, LSI units to the
  table but reported under ``LocalSecondaryIndexes`` with ``ReturnConsumedCapacity=INDEXES``.

``ReturnConsumedCapacity=TOTAL`` gives ``{"TableName", "CapacityUnits"}``; ``INDEXES`` adds
``Table`` (the base table's own part) and per-index maps; the total is their sum.

Known deviation: a Scan of a new on-demand table is reported by AWS as 4 RCU (2 eventual) for a
tiny item — apparently one minimum charge per initial partition; we charge the documented
``ceil(total / 4 KB)``.

All functions are O(1) except :func:`index_write_units` (O(number of indexes)).
"""

from __future__ import annotations

from typing import Any, Iterable

from .errors import ValidationException

READ_UNIT_BYTES = 4096
WRITE_UNIT_BYTES = 1024

RETURN_CONSUMED_CAPACITY = ("INDEXES", "TOTAL", "NONE")


def check_return_consumed_capacity(value: Any) -> str:
    """Validate ``ReturnConsumedCapacity``; returns ``"NONE"`` when absent."""
    if value is None:
        return "NONE"
    if value not in RETURN_CONSUMED_CAPACITY:
        raise ValidationException(
            f"1 validation error detected: Value '{value}' at 'returnConsumedCapacity' failed to "
            "satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"
        )
    return str(value)


def read_units(size: int, consistent: bool, *, transactional: bool = False) -> float:
    """Read units for ``size`` bytes read in one request (rounded up to 4 KB once, minimum 1)."""
    units = max(1, -(-size // READ_UNIT_BYTES))
    if transactional:
        return float(units * 2)
    return float(units) if consistent else units / 2


def write_units(size: int, *, transactional: bool = False) -> float:
    """Write units for an item of ``size`` bytes (rounded up to 1 KB, minimum 1)."""
    units = max(1, -(-size // WRITE_UNIT_BYTES))
    return float(units * 2 if transactional else units)


def entry_write_units(size: int) -> int:
    """Units of one index-entry write (1 KB blocks, at least 1)."""
    return max(1, -(-size // WRITE_UNIT_BYTES))


def index_write_units(indexes: Iterable[Any], old_item: dict | None, new_item: dict | None) -> dict[str, float]:
    """Write units per affected index for a change from ``old_item`` to ``new_item``.

    Cases per index (DG:GSI "Provisioned throughput considerations"): absent before and after = 0;
    added or removed = 1; index key changed = 2 (delete + put); same key with a changed
    projection = 1; nothing projected changed = 0. Each write is sized by its entry.
    """
    out: dict[str, float] = {}
    for index in indexes:
        old_entry = index.project(old_item) if old_item is not None else None
        new_entry = index.project(new_item) if new_item is not None else None
        if old_entry is None and new_entry is None:
            continue
        if old_entry is None:
            units = entry_write_units(index.entry_size(new_entry))
        elif new_entry is None:
            units = entry_write_units(index.entry_size(old_entry))
        elif index.entry_id(old_item) != index.entry_id(new_item):
            units = entry_write_units(index.entry_size(old_entry)) + entry_write_units(
                index.entry_size(new_entry)
            )
        elif index.entries_equal(old_entry, new_entry):
            continue
        else:
            units = entry_write_units(index.entry_size(new_entry))
        out[index.name] = float(units)
    return out


def consumed(
    mode: str,
    table_name: str,
    table_units: float | None,
    gsi_units: dict[str, float] | None = None,
    lsi_units: dict[str, float] | None = None,
) -> dict[str, Any] | None:
    """The ``ConsumedCapacity`` member for ``ReturnConsumedCapacity=mode`` (None for NONE).

    ``table_units`` is the base table's own part (None when the table was not touched, as for a
    Query on a GSI); index units are per index name.
    """
    if mode == "NONE" or mode is None:
        return None
    total = (table_units or 0.0) + sum((gsi_units or {}).values()) + sum((lsi_units or {}).values())
    out: dict[str, Any] = {"TableName": table_name, "CapacityUnits": float(total)}
    if mode == "INDEXES":
        if table_units is not None:
            out["Table"] = {"CapacityUnits": float(table_units)}
        if gsi_units:
            out["GlobalSecondaryIndexes"] = {
                name: {"CapacityUnits": float(u)} for name, u in sorted(gsi_units.items())
            }
        if lsi_units:
            out["LocalSecondaryIndexes"] = {
                name: {"CapacityUnits": float(u)} for name, u in sorted(lsi_units.items())
            }
    return out


def write_consumed(
    mode: str,
    table: Any,
    old_item: dict | None,
    new_item: dict | None,
    old_size: int,
    new_size: int,
    *,
    transactional: bool = False,
) -> dict[str, Any] | None:
    """``ConsumedCapacity`` of one item write (Put/Update/Delete) including index amplification."""
    if mode == "NONE":
        return None
    units = write_units(max(old_size, new_size), transactional=transactional)
    gsi: dict[str, float] = {}
    lsi: dict[str, float] = {}
    if table.gsis:
        gsi = index_write_units(table.gsis.values(), old_item, new_item)
    if table.lsis:
        lsi = index_write_units(table.lsis.values(), old_item, new_item)
    if transactional:
        gsi = {k: v * 2 for k, v in gsi.items()}
        lsi = {k: v * 2 for k, v in lsi.items()}
    return consumed(mode, table.name, units, gsi, lsi)
