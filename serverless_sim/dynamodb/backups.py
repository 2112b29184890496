"""Point-in-time recovery and on-demand backups.

AWS behaviour modelled (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery_Howitworks.html,
BackupRestore.html, and the API reference pages of UpdateContinuousBackups,
DescribeContinuousBackups, RestoreTableToPointInTime, CreateBackup, ListBackups, DescribeBackup,
RestoreTableFromBackup, DeleteBackup):

* **PITR**: UpdateContinuousBackups enables/disables it; ``RecoveryPeriodInDays`` 1-35 (default
  35, "5 weeks"); ``EarliestRestorableDateTime`` is the enable time (re-enabling resets it) or
  now minus the period, whichever is later; ``LatestRestorableDateTime`` is "typically 5 minutes
  before the current time" (modelled: exactly now - 5 min, not before Earliest). Restores are to
  the second (a RestoreDateTime is rounded down to a whole second). ``ContinuousBackupsStatus``
  is ENABLED for every table (on-demand backups are always available);
* **RestoreTableToPointInTime** creates a **new** table equal to the source at that instant,
  with its key schema, GSIs, LSIs, billing mode, provisioned throughput and encryption, but not
  its streams, TTL, PITR settings or tags; overrides (BillingModeOverride,
  ProvisionedThroughputOverride, GlobalSecondaryIndexOverride, LocalSecondaryIndexOverride,
  SSESpecificationOverride) replace the source's. The new table describes a ``RestoreSummary``.
  Errors: TableNotFoundException (no source), TableAlreadyExistsException (target exists),
  PointInTimeRecoveryUnavailableException (PITR off), InvalidRestoreTimeException (outside
  [Earliest, Latest]);
* deleting a table with PITR on keeps a SYSTEM backup ``<table>$DeletedTableBackup`` for 35 days
  (its state just before the deletion);
* **on-demand backups** are full and consistent to the instant of CreateBackup, kept until
  deleted; CREATING -> AVAILABLE after ``backup_create_delay`` (default 0). DeleteBackup or a
  restore of a CREATING backup raises BackupInUseException; unknown ARNs BackupNotFoundException.
  ListBackups filters by TableName, BackupType (default USER; SYSTEM, AWS_BACKUP, ALL) and a
  creation-time range (lower bound inclusive, upper exclusive), ``Limit`` 1-100 with
  ``ExclusiveStartBackupArn`` / ``LastEvaluatedBackupArn``.

Memory and time (the point of the design): PITR keeps, per table, a *base* (a flat copy of the
storage map taken when PITR was enabled: the stored items are immutable tuples, so only the map is
copied) and a *change log* ``(time, key, old entry, new entry)`` appended by a change hook. Entries
older than the recovery period are folded into the base (at most once per virtual hour), so memory
grows with the changes kept in the window, never with table size x writes. A restore to T builds
the state either as base + replay of the changes up to T, or as the current state with the
changes after T undone, whichever touches fewer changes, then bulk-loads a new table:
O(n + min(changes before T, changes after T)). A backup is a flat copy of the map, O(n).
"""

from __future__ import annotations

import copy
import datetime as _dt
from bisect import bisect_right
from operator import itemgetter
from typing import TYPE_CHECKING, Any, cast

from sortedcontainers import SortedDict

from ..kernel.service import operation
from .errors import (
    BackupInUseException,
    BackupNotFoundException,
    InvalidRestoreTimeException,
    PointInTimeRecoveryUnavailableException,
    TableAlreadyExistsException,
    TableInUseException,
    TableNotFoundException,
    ValidationException,
)
from .table import PROMOTE_AT, Partition, Table

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .service import DynamoDB, DynamoDBConfig
    from .ttl import TableTTL

US = 1_000_000
DAY_US = 86_400 * US
#: API:UpdateContinuousBackups: RecoveryPeriodInDays 1-35 (default 35).
MIN_PERIOD_DAYS, MAX_PERIOD_DAYS = 1, 35
#: DG:PointInTimeRecovery_Howitworks: LatestRestorableDateTime is typically 5 minutes before now.
LATEST_LAG_US = 5 * 60 * US
#: DG: the system backup of a deleted PITR table is kept 35 days.
DELETED_BACKUP_KEEP_US = 35 * DAY_US
#: Fold old changes into the base at most this often (virtual time).
TRIM_EVERY_US = 3600 * US
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_time = itemgetter(0)


def _dt_us(us: int) -> _dt.datetime:
    return _EPOCH + _dt.timedelta(microseconds=us)


def _to_us(value: Any, where: str) -> int:
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        delta = value - _EPOCH
        return (delta.days * 86_400 + delta.seconds) * US + delta.microseconds
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return round(value * US)
    if isinstance(value, str):
        try:
            return _to_us(_dt.datetime.fromisoformat(value.replace("Z", "+00:00")), where)
        except ValueError:
            pass
    raise ValidationException(f"Invalid type for parameter {where}, value: {value!r}")


# ---------------------------------------------------------------------------------------------
# Flat snapshots of a table's storage


def snapshot(table: Table) -> dict:
    """The table's items as a flat map ``key -> stored entry`` (key = pk, or (pk, sk)). O(n);
    the entries are shared, not copied (they are immutable)."""
    store = table.store
    if not store.ranged:
        return dict(store.data)
    out: dict = {}
    for pk, part in store.data.items():
        if part.big is not None:
            for sk, enc in part.big.items():
                out[(pk, sk)] = enc
        else:
            for sk, enc in zip(part.keys, part.vals):
                out[(pk, sk)] = enc
    return out


def load(table: Table, state: dict) -> None:
    """Fill an empty table from a flat map (taking ownership of it) and build its indexes.
    O(n log n) for ranged tables (sorting each partition), O(n) otherwise, plus the indexes."""
    store = table.store
    store.clear()
    if not store.ranged:
        store.data = state
        store.count = len(state)
        store.nbytes = sum(enc[0] for enc in state.values())
    else:
        groups: dict[Any, list] = {}
        for (pk, sk), enc in state.items():
            g = groups.get(pk)
            if g is None:
                groups[pk] = [(sk, enc)]
            else:
                g.append((sk, enc))
        nbytes = 0
        for pk, pairs in groups.items():
            pairs.sort(key=_time)
            part = Partition()
            size = sum(enc[0] for _sk, enc in pairs)
            if len(pairs) > PROMOTE_AT:
                part.big = SortedDict(pairs)
            else:
                part.keys = [sk for sk, _enc in pairs]
                part.vals = [enc for _sk, enc in pairs]
            part.nbytes = size
            nbytes += size
            store.data[pk] = part
        store.count = len(state)
        store.nbytes = nbytes
    if table.gsis or table.lsis:
        encs = list(state.values())
        for index in table.indexes:
            index.rebuild(encs)


# ---------------------------------------------------------------------------------------------
# Point-in-time recovery


class PitrLog:
    """The PITR state of one table: a base snapshot and the change log since."""

    __slots__ = ("service", "table", "ranged", "enabled_us", "period_days", "base", "base_us", "log", "next_trim_us", "clock")

    def __init__(self, service: "DynamoDB", table: Table, period_days: int) -> None:
        now = service.cloud.now_us
        self.service = service
        self.table = table
        self.ranged = table.range_key is not None
        self.enabled_us = now
        self.period_days = period_days
        self.base = snapshot(table)
        self.base_us = now
        #: (time_us, key, old entry, new entry), in commit order (times non-decreasing).
        self.log: list[tuple] = []
        self.next_trim_us = now + TRIM_EVERY_US
        self.clock = service.cloud.clock

    def __repr__(self) -> str:
        return f"<PitrLog {self.table.name!r} base={len(self.base)} changes={len(self.log)}>"

    def hook(self, pk: Any, sk: Any, old: tuple | None, new: tuple | None) -> None:
        """The change hook: log one change. O(1) amortised."""
        now = self.clock.now_us
        self.log.append((now, (pk, sk) if self.ranged else pk, old, new))
        if now >= self.next_trim_us:
            self.trim(now)

    def trim(self, now: int) -> None:
        """Fold the changes older than the recovery period into the base. O(k)."""
        cutoff = now - self.period_days * DAY_US
        log = self.log
        i = bisect_right(log, cutoff, key=_time)
        if i:
            base = self.base
            for _t, key, _old, new in log[:i]:
                if new is None:
                    base.pop(key, None)
                else:
                    base[key] = new
            del log[:i]
        if cutoff > self.base_us:
            self.base_us = cutoff
        self.next_trim_us = now + TRIM_EVERY_US

    def earliest_us(self) -> int:
        now = self.service.cloud.now_us
        return max(self.enabled_us, self.base_us, now - self.period_days * DAY_US)

    def latest_us(self) -> int:
        return max(self.earliest_us(), self.service.cloud.now_us - LATEST_LAG_US)

    def state_at(self, t_us: int) -> dict:
        """The table's items at instant ``t_us`` as a flat map (changes at ``t_us`` included).
        O(n + min(changes up to t, changes after t))."""
        log = self.log
        i = bisect_right(log, t_us, key=_time)
        if i <= len(log) - i:
            state = dict(self.base)
            for _t, key, _old, new in log[:i]:
                if new is None:
                    state.pop(key, None)
                else:
                    state[key] = new
        else:
            state = snapshot(self.table)
            for j in range(len(log) - 1, i - 1, -1):
                _t, key, old, _new = log[j]
                if old is None:
                    state.pop(key, None)
                else:
                    state[key] = old
        return state

    def describe(self) -> dict:
        earliest = self.earliest_us()
        latest = self.latest_us()
        # Restores are to the second: Earliest rounds up, Latest down.
        earliest_s = -(-earliest // US) * US
        latest_s = max(earliest_s, latest - latest % US)
        return {
            "PointInTimeRecoveryStatus": "ENABLED",
            "RecoveryPeriodInDays": self.period_days,
            "EarliestRestorableDateTime": _dt_us(earliest_s),
            "LatestRestorableDateTime": _dt_us(latest_s),
        }


# ---------------------------------------------------------------------------------------------
# On-demand backups


class Backup:
    """One on-demand (USER) or SYSTEM backup: the table's schema and a flat copy of its items."""

    __slots__ = (
        "arn", "name", "type", "status", "created_us", "expiry_us", "table_name", "table_id",
        "table_arn", "table_created_us", "schema", "state", "size_bytes", "item_count",
        "features", "ready_us",
    )
    # Declarations only (no values, so __slots__ stays valid): the fields set by __init__.
    arn: str
    name: str
    type: str
    status: str
    created_us: int
    expiry_us: int | None
    table_name: str
    table_id: str
    table_arn: str
    table_created_us: int
    schema: dict[str, Any]
    state: dict[Any, Any]
    size_bytes: int
    item_count: int
    features: dict[str, Any]
    ready_us: int

    def __init__(self, **kw: Any) -> None:
        for k, v in kw.items():
            setattr(self, k, v)

    def __repr__(self) -> str:
        return f"<Backup {self.name!r} {self.type} {self.status} items={self.item_count}>"

    def details(self) -> dict:
        out: dict[str, Any] = {
            "BackupArn": self.arn,
            "BackupName": self.name,
            "BackupSizeBytes": self.size_bytes,
            "BackupStatus": self.status,
            "BackupType": self.type,
            "BackupCreationDateTime": _dt_us(self.created_us),
        }
        if self.expiry_us is not None:
            out["BackupExpiryDateTime"] = _dt_us(self.expiry_us)
        return out

    def summary(self) -> dict:
        out: dict[str, Any] = {
            "TableName": self.table_name,
            "TableId": self.table_id,
            "TableArn": self.table_arn,
            "BackupArn": self.arn,
            "BackupName": self.name,
            "BackupCreationDateTime": _dt_us(self.created_us),
        }
        if self.expiry_us is not None:
            out["BackupExpiryDateTime"] = _dt_us(self.expiry_us)
        out.update(BackupStatus=self.status, BackupType=self.type, BackupSizeBytes=self.size_bytes)
        return out

    def description(self) -> dict:
        schema = self.schema
        pt = schema.get("ProvisionedThroughput") or {"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}
        source: dict[str, Any] = {
            "TableName": self.table_name,
            "TableId": self.table_id,
            "TableArn": self.table_arn,
            "TableSizeBytes": self.size_bytes,
            "KeySchema": [dict(k) for k in schema["KeySchema"]],
            "TableCreationDateTime": _dt_us(self.table_created_us),
            "ProvisionedThroughput": dict(pt),
            "ItemCount": self.item_count,
            "BillingMode": schema["BillingMode"],
        }
        return {
            "BackupDetails": self.details(),
            "SourceTableDetails": source,
            "SourceTableFeatureDetails": self.features,
        }


def table_schema(table: Table) -> dict:
    """A CreateTable request (without TableName) reproducing ``table``'s schema and settings
    that a restore carries over: keys, attributes, indexes, billing, throughput, encryption."""
    req: dict[str, Any] = {
        "KeySchema": [{"AttributeName": table.hash_key, "KeyType": "HASH"}]
        + ([{"AttributeName": table.range_key, "KeyType": "RANGE"}] if table.range_key else []),
        "AttributeDefinitions": [dict(a) for a in table.attribute_definitions],
        "BillingMode": table.billing_mode,
    }
    if table.billing_mode == "PROVISIONED":
        req["ProvisionedThroughput"] = {
            "ReadCapacityUnits": table.read_capacity,
            "WriteCapacityUnits": table.write_capacity,
        }
    for kind, indexes in (("GlobalSecondaryIndexes", table.gsis), ("LocalSecondaryIndexes", table.lsis)):
        specs = []
        for ix in indexes.values():
            spec: dict[str, Any] = {
                "IndexName": ix.name,
                "KeySchema": ix.key_schema(),
                "Projection": ix.projection(),
            }
            if kind == "GlobalSecondaryIndexes" and table.billing_mode == "PROVISIONED":
                spec["ProvisionedThroughput"] = {
                    "ReadCapacityUnits": ix.read_capacity,
                    "WriteCapacityUnits": ix.write_capacity,
                }
            specs.append(spec)
        if specs:
            req[kind] = specs
    if table.sse is not None:
        req["SSESpecification"] = {
            "Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": table.sse["KMSMasterKeyArn"]
        }
    if table.table_class is not None:
        req["TableClass"] = table.table_class
    return req


def _used_attributes(req: dict) -> list[dict]:
    """Keep only the AttributeDefinitions the (possibly overridden) schema uses."""
    used = {k["AttributeName"] for k in req["KeySchema"]}
    for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        for spec in req.get(kind) or []:
            used.update(k["AttributeName"] for k in spec["KeySchema"])
    return [a for a in req["AttributeDefinitions"] if a["AttributeName"] in used]


class BackupOps:
    """PITR and backup wire operations (a mixin of :class:`~.service.DynamoDB`)."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        cloud: Cloud
        config: DynamoDBConfig
        tables: dict[str, Table]
        ttl: dict[str, TableTTL]
        def _create_table_wire(self, request: dict) -> dict: ...
        def _describe(self, table: Table) -> dict: ...
        def _table_by_arn(self, name: Any) -> Table | None: ...

    def _init_backups(self, home: Any = None) -> None:
        #: PITR state by table id (tables with PITR enabled).
        self.pitr: dict[str, PitrLog] = {}
        #: Backups of this region by ARN, in creation order.
        self.backups: dict[str, Backup] = {}
        #: RestoreSummary of restored tables, by table id.
        self._restores: dict[str, dict] = {}

    # -- helpers --------------------------------------------------------------------------
    def _table_for_backup(self, name: Any, where: str = "tableName") -> Table:
        if not isinstance(name, str) or not name:
            raise ValidationException(
                f"1 validation error detected: Value null at '{where}' failed to satisfy "
                "constraint: Member must not be null"
            )
        table = self.tables.get(name) or self._table_by_arn(name)
        if table is None or table.status == "DELETING":
            raise TableNotFoundException(f"Table not found: {name}")
        return table

    def _restore_into(self, target: Any, schema: dict, state: dict, request: dict, summary: dict) -> dict:
        from .tables import check_name, validation_errors

        errors: list[str] = []
        check_name(target, "targetTableName", errors)
        validation_errors(errors)
        if target in self.tables:
            raise TableAlreadyExistsException(f"Table already exists: {target}")
        req = copy.deepcopy(schema)
        req["TableName"] = target
        billing = request.get("BillingModeOverride")
        if billing is not None:
            req["BillingMode"] = billing
            if billing == "PAY_PER_REQUEST":
                req.pop("ProvisionedThroughput", None)
                for spec in req.get("GlobalSecondaryIndexes") or []:
                    spec.pop("ProvisionedThroughput", None)
        if request.get("ProvisionedThroughputOverride") is not None:
            req["ProvisionedThroughput"] = dict(request["ProvisionedThroughputOverride"])
        if request.get("GlobalSecondaryIndexOverride") is not None:
            req["GlobalSecondaryIndexes"] = request["GlobalSecondaryIndexOverride"]
            if not req["GlobalSecondaryIndexes"]:
                del req["GlobalSecondaryIndexes"]
        if request.get("LocalSecondaryIndexOverride") is not None:
            req["LocalSecondaryIndexes"] = request["LocalSecondaryIndexOverride"]
            if not req["LocalSecondaryIndexes"]:
                del req["LocalSecondaryIndexes"]
        if request.get("SSESpecificationOverride") is not None:
            req["SSESpecification"] = request["SSESpecificationOverride"]
        req["AttributeDefinitions"] = _used_attributes(req)
        self._create_table_wire(req)
        table = self.tables[target]
        load(table, state)
        self._restores[table.table_id] = summary
        self.cloud.trace.record("dynamodb", "table_restored", table=target, items=len(state))
        return {"TableDescription": self._describe(table)}

    def _describe_restore(self, table: Table, d: dict) -> None:
        summary = self._restores.get(table.table_id)
        if summary is not None:
            d["RestoreSummary"] = {**summary, "RestoreInProgress": table.status == "CREATING"}

    def _backups_table_deleted(self, table: Table) -> None:
        log = self.pitr.pop(table.table_id, None)
        if log is None:
            return
        try:
            table.change_hooks.remove(log.hook)
        except ValueError:  # pragma: no cover
            pass
        now = self.cloud.now_us
        self._make_backup(table, f"{table.name}$DeletedTableBackup", "SYSTEM", now + DELETED_BACKUP_KEEP_US)

    def _make_backup(self, table: Table, name: str, kind: str, expiry_us: int | None) -> Backup:
        now = self.cloud.now_us
        suffix = self.cloud.streams.hex_id("dynamodb/backup-ids", 4)
        ttl = self.ttl.get(table.table_id)
        features: dict[str, Any] = {}
        schema = table_schema(table)
        if schema.get("LocalSecondaryIndexes"):
            features["LocalSecondaryIndexes"] = [
                {k: v for k, v in s.items() if k != "ProvisionedThroughput"} for s in schema["LocalSecondaryIndexes"]
            ]
        if schema.get("GlobalSecondaryIndexes"):
            features["GlobalSecondaryIndexes"] = [dict(s) for s in schema["GlobalSecondaryIndexes"]]
        if table.stream_spec is not None:
            features["StreamDescription"] = dict(table.stream_spec)
        features["TimeToLiveDescription"] = (
            {"TimeToLiveStatus": ttl.status, "AttributeName": ttl.attribute}
            if ttl is not None else {"TimeToLiveStatus": "DISABLED"}
        )
        if table.sse is not None:
            features["SSEDescription"] = dict(table.sse)
        delay = self.config.backup_create_delay
        backup = Backup(
            arn=f"{table.arn}/backup/{now // 1000:014d}-{suffix}",
            name=name,
            type=kind,
            status="CREATING" if delay > 0 else "AVAILABLE",
            created_us=now,
            expiry_us=expiry_us,
            table_name=table.name,
            table_id=table.table_id,
            table_arn=table.arn,
            table_created_us=table.created_us,
            schema=schema,
            state=snapshot(table),
            size_bytes=table.size_bytes,
            item_count=table.item_count,
            features=features,
            ready_us=now + round(delay * US),
        )
        self.backups[backup.arn] = backup
        self.cloud.trace.record("dynamodb", "backup_created", table=table.name, backup=backup.arn, type=kind)
        return backup

    def _backup(self, arn: Any) -> Backup:
        if not isinstance(arn, str) or not arn:
            raise ValidationException(
                "1 validation error detected: Value null at 'backupArn' failed to satisfy "
                "constraint: Member must not be null"
            )
        backup = self.backups.get(arn)
        now = self.cloud.now_us
        if backup is not None and backup.expiry_us is not None and backup.expiry_us <= now:
            del self.backups[arn]
            backup = None
        if backup is None:
            raise BackupNotFoundException(f"Backup not found: {arn}")
        if backup.status == "CREATING" and now >= backup.ready_us:
            backup.status = "AVAILABLE"
        return backup

    # -- PITR -----------------------------------------------------------------------------
    def pitr_log(self, table: Table) -> PitrLog | None:
        """The PITR state of ``table`` (None when PITR is off)."""
        return self.pitr.get(table.table_id)

    def _continuous(self, table: Table) -> dict:
        log = self.pitr.get(table.table_id)
        pitr = log.describe() if log is not None else {"PointInTimeRecoveryStatus": "DISABLED"}
        return {
            "ContinuousBackupsDescription": {
                "ContinuousBackupsStatus": "ENABLED",
                "PointInTimeRecoveryDescription": pitr,
            }
        }

    @operation("DescribeContinuousBackups")
    def describe_continuous_backups(self, request: dict) -> dict:
        """DescribeContinuousBackups (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeContinuousBackups.html)."""
        return self._continuous(self._table_for_backup(request.get("TableName")))

    @operation("UpdateContinuousBackups")
    def update_continuous_backups(self, request: dict) -> dict:
        """UpdateContinuousBackups: enable/disable PITR, RecoveryPeriodInDays 1-35 (default 35)."""
        from .tables import validation_errors

        spec = request.get("PointInTimeRecoverySpecification")
        errors: list[str] = []
        if request.get("TableName") is None:
            errors.append("Value null at 'tableName' failed to satisfy constraint: Member must not be null")
        if spec is None:
            errors.append(
                "Value null at 'pointInTimeRecoverySpecification' failed to satisfy constraint: "
                "Member must not be null"
            )
            validation_errors(errors)
        assert spec is not None  # validation_errors raised above
        enabled = spec.get("PointInTimeRecoveryEnabled")
        period = spec.get("RecoveryPeriodInDays")
        if enabled is None:
            errors.append(
                "Value null at 'pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled' "
                "failed to satisfy constraint: Member must not be null"
            )
        if period is not None:
            if period < MIN_PERIOD_DAYS:
                errors.append(
                    f"Value '{period}' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' "
                    "failed to satisfy constraint: Member must have value greater than or equal to 1"
                )
            elif period > MAX_PERIOD_DAYS:
                errors.append(
                    f"Value '{period}' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' "
                    "failed to satisfy constraint: Member must have value less than or equal to 35"
                )
        validation_errors(errors)
        table = self._table_for_backup(request["TableName"])
        log = self.pitr.get(table.table_id)
        if enabled:
            if period is None:
                period = log.period_days if log is not None else MAX_PERIOD_DAYS
            if log is None:
                log = PitrLog(cast("DynamoDB", self), table, int(period))
                self.pitr[table.table_id] = log
                table.change_hooks.append(log.hook)
            else:
                log.period_days = int(period)
                log.trim(self.cloud.now_us)
        else:
            if period is not None:
                raise ValidationException(
                    "RecoveryPeriodInDays can only be specified when PointInTimeRecoveryEnabled is true"
                )
            if log is not None:
                del self.pitr[table.table_id]
                table.change_hooks.remove(log.hook)
        self.cloud.trace.record("dynamodb", "pitr_update", table=table.name, enabled=bool(enabled))
        return self._continuous(table)

    @operation("RestoreTableToPointInTime")
    def restore_table_to_point_in_time(self, request: dict) -> dict:
        """RestoreTableToPointInTime (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_RestoreTableToPointInTime.html)."""
        source_name = request.get("SourceTableName")
        source_arn = request.get("SourceTableArn")
        if source_name is None and source_arn is None:
            raise ValidationException("Either SourceTableName or SourceTableArn must be specified")
        target = request.get("TargetTableName")
        if target is None:
            raise ValidationException(
                "1 validation error detected: Value null at 'targetTableName' failed to satisfy "
                "constraint: Member must not be null"
            )
        source = self._table_for_backup(source_arn if source_arn is not None else source_name, "sourceTableName")
        use_latest = request.get("UseLatestRestorableTime")
        when = request.get("RestoreDateTime")
        if use_latest and when is not None:
            raise ValidationException(
                "Only one of RestoreDateTime or UseLatestRestorableTime can be specified"
            )
        if target in self.tables:
            raise TableAlreadyExistsException(f"Table already exists: {target}")
        log = self.pitr.get(source.table_id)
        if log is None:
            raise PointInTimeRecoveryUnavailableException(
                f"Point in time recovery is not enabled for table '{source.name}'"
            )
        desc = log.describe()
        earliest = _to_us(desc["EarliestRestorableDateTime"], "EarliestRestorableDateTime")
        latest = _to_us(desc["LatestRestorableDateTime"], "LatestRestorableDateTime")
        if when is None:
            if not use_latest:
                raise ValidationException(
                    "Either RestoreDateTime or UseLatestRestorableTime must be specified"
                )
            t_us = latest
        else:
            t_us = _to_us(when, "RestoreDateTime")
            t_us -= t_us % US
            if not earliest <= t_us <= latest:
                raise InvalidRestoreTimeException(
                    "Invalid restore time: RestoreDateTime must be between "
                    f"EarliestRestorableDateTime ({_dt_us(earliest).isoformat()}) and "
                    f"LatestRestorableDateTime ({_dt_us(latest).isoformat()})"
                )
        state = log.state_at(t_us)
        summary = {"SourceTableArn": source.arn, "RestoreDateTime": _dt_us(t_us)}
        return self._restore_into(target, table_schema(source), state, request, summary)

    def restore_to(self, source: str, target: str, when: Any) -> Table:
        """Native: restore ``source`` as of ``when`` (datetime or epoch seconds) into ``target``."""
        self.restore_table_to_point_in_time(
            {"SourceTableName": source, "TargetTableName": target, "RestoreDateTime": when}
        )
        return self.tables[target]

    # -- on-demand backups ------------------------------------------------------------------
    @operation("CreateBackup")
    def create_backup(self, request: dict) -> dict:
        """CreateBackup: a full, consistent copy of the table now (CREATING -> AVAILABLE)."""
        from .tables import check_name, validation_errors

        errors: list[str] = []
        name = request.get("BackupName")
        check_name(name, "backupName", errors)
        if request.get("TableName") is None:
            errors.append("Value null at 'tableName' failed to satisfy constraint: Member must not be null")
        validation_errors(errors)
        assert isinstance(name, str)  # check_name raised or recorded an error otherwise
        table = self._table_for_backup(request["TableName"])
        if table.status != "ACTIVE":
            raise TableInUseException(f"Table is in use: {table.name} ({table.status})")
        backup = self._make_backup(table, name, "USER", None)
        if backup.status == "CREATING":
            self.cloud.scheduler.call_at_us(backup.ready_us, self._backup_ready, backup)
        return {"BackupDetails": backup.details()}

    def _backup_ready(self, backup: Backup) -> None:
        if backup.status == "CREATING":
            backup.status = "AVAILABLE"

    @operation("DescribeBackup")
    def describe_backup(self, request: dict) -> dict:
        return {"BackupDescription": self._backup(request.get("BackupArn")).description()}

    @operation("DeleteBackup")
    def delete_backup(self, request: dict) -> dict:
        """DeleteBackup: BackupInUseException while CREATING; returns the DELETED description."""
        backup = self._backup(request.get("BackupArn"))
        if backup.status == "CREATING":
            raise BackupInUseException(f"Backup is being created: {backup.arn}")
        del self.backups[backup.arn]
        backup.status = "DELETED"
        return {"BackupDescription": backup.description()}

    @operation("ListBackups")
    def list_backups(self, request: dict) -> dict:
        """ListBackups: filters TableName, BackupType (default USER), TimeRangeLowerBound
        (inclusive) / TimeRangeUpperBound (exclusive); ``Limit`` 1-100, paged by ARN."""
        from .tables import validation_errors

        errors: list[str] = []
        limit = request.get("Limit", 100)
        if limit is not None and not 1 <= limit <= 100:
            bound = "greater than or equal to 1" if limit < 1 else "less than or equal to 100"
            errors.append(f"Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value {bound}")
        kind = request.get("BackupType", "USER")
        if kind not in ("USER", "SYSTEM", "AWS_BACKUP", "ALL"):
            errors.append(
                f"Value '{kind}' at 'backupType' failed to satisfy constraint: Member must satisfy "
                "enum value set: [USER, SYSTEM, AWS_BACKUP, ALL]"
            )
        validation_errors(errors)
        name = request.get("TableName")
        lo = request.get("TimeRangeLowerBound")
        hi = request.get("TimeRangeUpperBound")
        lo_us = None if lo is None else _to_us(lo, "TimeRangeLowerBound")
        hi_us = None if hi is None else _to_us(hi, "TimeRangeUpperBound")
        rows = []
        for arn in list(self.backups):
            try:
                b = self._backup(arn)
            except BackupNotFoundException:
                continue
            if kind != "ALL" and b.type != kind:
                continue
            if name is not None and name not in (b.table_name, b.table_arn):
                continue
            if lo_us is not None and b.created_us < lo_us:
                continue
            if hi_us is not None and b.created_us >= hi_us:
                continue
            rows.append(b)
        start = request.get("ExclusiveStartBackupArn")
        if start is not None:
            arns = [b.arn for b in rows]
            rows = rows[arns.index(start) + 1:] if start in arns else []
        page = rows[:limit]
        out: dict[str, Any] = {"BackupSummaries": [b.summary() for b in page]}
        if len(rows) > limit:
            out["LastEvaluatedBackupArn"] = page[-1].arn
        return out

    @operation("RestoreTableFromBackup")
    def restore_table_from_backup(self, request: dict) -> dict:
        """RestoreTableFromBackup: a new table from the backup (same overrides as a PITR restore)."""
        target = request.get("TargetTableName")
        if target is None:
            raise ValidationException(
                "1 validation error detected: Value null at 'targetTableName' failed to satisfy "
                "constraint: Member must not be null"
            )
        backup = self._backup(request.get("BackupArn"))
        if backup.status == "CREATING":
            raise BackupInUseException(f"Backup is being created: {backup.arn}")
        if target in self.tables:
            raise TableAlreadyExistsException(f"Table already exists: {target}")
        summary = {
            "SourceBackupArn": backup.arn,
            "SourceTableArn": backup.table_arn,
            "RestoreDateTime": _dt_us(backup.created_us),
        }
        return self._restore_into(target, backup.schema, dict(backup.state), request, summary)

    def _check_pitr(self, table: Table) -> None:
        """Invariant (tests): the base plus the log replays to the current table."""
        log = self.pitr[table.table_id]
        assert log.state_at(self.cloud.now_us + 1) == snapshot(table)
        times = [e[0] for e in log.log]
        assert times == sorted(times)

