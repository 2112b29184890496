"""Global tables (version 2019.11.21): replicas in other regions of the same Cloud.

AWS behaviour modelled (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_HowItWorks.html,
globaltables.V2.html, API_UpdateTable.html ``ReplicaUpdates``, API_ReplicaDescription.html):

* ``UpdateTable(ReplicaUpdates=[{"Create": {"RegionName": r}}])`` adds a replica table of the same
  name, key schema and indexes in region ``r``, filled with the table's current items (status
  CREATING -> ACTIVE after ``replica_create_delay``, default 0); ``{"Delete": {"RegionName": r}}``
  removes it (the replica table is deleted). The table must have a stream with
  NEW_AND_OLD_IMAGES (as the 2019.11.21 version requires); a table without any stream gets one
  enabled, a stream of another view type is refused (ValidationException);
* replication is **asynchronous**: each write committed in one region is applied to every other
  replica after a modelled delay (``replication_delay``: seconds, a ``(low, high)`` uniform range
  or ``rng -> seconds``; default uniform 0.5-1.5 s, AWS: "usually within one second"), drawn from
  the stream ``dynamodb/global-tables/<table>/<from>-><to>``;
* conflicts resolve by **last writer wins** on the write's timestamp (ties: the higher region
  name wins, deterministically): a replicated write older than the replica's latest write of that
  item is dropped, so every replica converges to the same item;
* DescribeTable of a replicated table shows ``GlobalTableVersion`` "2019.11.21" and ``Replicas``
  (the *other* regions, each with ``RegionName`` and ``ReplicaStatus``);
* metric ``ReplicationLatency`` (AWS/DynamoDB, dimensions TableName and ReceivingRegion,
  milliseconds) for every replicated write applied;
* a TTL deletion is marked as the service's only in its own region's stream; replicas receive an
  ordinary delete (DG:ttl-expired-items).

Design: a Cloud is one account; ``cloud.dynamodb`` is its home region. Other regions are further
DynamoDB service objects created on demand: ``cloud.dynamodb.region_service("eu-west-1")`` (the service),
``cloud.dynamodb.region_client("eu-west-1")`` (a boto3-shaped client over it) and
``cloud.dynamodb.region_table("eu-west-1", "orders")`` (the engine's Table). Each region service
has its own tables, streams, TTL and backups; the replication groups are shared by all of them.

Known deviations: transactions replicate item by item (AWS: "replicas may see partial
transactions", which is what this gives); TTL and throughput settings are not synchronised
between replicas; the 2017.11.29 API (CreateGlobalTable...) is not modelled; multi-region strong
consistency (MRSC) is not modelled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from .backups import load, snapshot, table_schema
from .errors import ValidationException
from .table import Table, WritePlan, decode
from .ttl import draw_delay_us

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .service import DynamoDB, DynamoDBConfig

VERSION = "2019.11.21"
_NO_VERSION = (-1, "")


class Replica:
    """One member of a replication group: a table in one region and its item versions."""

    __slots__ = ("group", "service", "table", "region", "status", "versions", "ranged")

    def __init__(self, group: "ReplicationGroup", service: "DynamoDB", table: Table, status: str) -> None:
        self.group = group
        self.service = service
        self.table = table
        self.region = service.region
        self.status = status
        #: key -> (write time us, region) of the item's latest write (tombstones included).
        self.versions: dict[Any, tuple[int, str]] = {}
        self.ranged = table.range_key is not None

    def __repr__(self) -> str:
        return f"<Replica {self.table.name!r} {self.region} {self.status}>"

    def hook(self, pk: Any, sk: Any, old: tuple | None, new: tuple | None) -> None:
        """The change hook of a local write: version it and send it to the other replicas."""
        svc = self.service
        if svc._replicating:
            return
        now = svc.cloud.now_us
        key = (pk, sk) if self.ranged else pk
        version = (now, self.region)
        prev = self.versions.get(key)
        if prev is not None and version <= prev:
            # This write overwrote a replicated one with the same timestamp that wins the
            # region tie-break: the overwrite is causally later, so stamp it 1 us later.
            version = (prev[0] + 1, self.region)
        self.versions[key] = version
        group = self.group
        cloud = svc.cloud
        for other in group.members.values():
            if other is self:
                continue
            delay = draw_delay_us(svc.config.replication_delay, group.rng(self.region, other.region))
            cloud.scheduler.call_at_us(now + delay, group.deliver, other, key, old, new, version)


class ReplicationGroup:
    """The replicas of one global table, by region."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.members: dict[str, Replica] = {}

    def __repr__(self) -> str:
        return f"<ReplicationGroup {self.name!r} {sorted(self.members)}>"

    def rng(self, src: str, dst: str) -> Any:
        member = self.members.get(src) or next(iter(self.members.values()))
        return member.service.cloud.rng(f"dynamodb/global-tables/{self.name}/{src}->{dst}")

    def deliver(self, dest: Replica, key: Any, old: tuple | None, new: tuple | None, version: tuple[int, str]) -> None:
        """Apply a replicated write at ``dest`` unless a later write of the item is there."""
        if self.members.get(dest.region) is not dest:
            return
        if version <= dest.versions.get(key, _NO_VERSION):
            return  # last writer wins: the replica already has a later write
        dest.versions[key] = version
        svc = dest.service
        table = dest.table
        if svc.tables.get(table.name) is not table:
            return
        ref = new if new is not None else old
        ref_item = decode(ref)  # type: ignore[arg-type]
        key_attrs = table.extract_key(ref_item)
        key_id = table.key_id(key_attrs)
        enc = table.lookup(key_id)
        if enc is None and new is None:
            pass  # deleting an absent item: nothing to commit
        else:
            plan = WritePlan(
                table, key_id, key_attrs,
                None if enc is None else decode(enc),
                None if new is None else decode(new),
                True, 0 if enc is None else enc[0], 0 if new is None else new[0],
            )
            svc._replicating = True
            try:
                table.commit(plan)
            finally:
                svc._replicating = False
        now = svc.cloud.now_us
        svc.cloud.metrics.put(
            "AWS/DynamoDB", "ReplicationLatency", (now - version[0]) / 1000.0,
            {"TableName": table.name, "ReceivingRegion": dest.region}, "Milliseconds",
        )
        svc.cloud.trace.record(
            "dynamodb", "replicated", table=table.name, source=version[1], region=dest.region
        )


class GlobalTableOps:
    """Replica regions and ReplicaUpdates (a mixin of :class:`~.service.DynamoDB`)."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        cloud: Cloud
        config: DynamoDBConfig
        region: str
        def _stream_changed(self, table: Table) -> None: ...
        def _stream_label(self) -> str: ...

    def _init_global_tables(self, home: Any = None) -> None:
        #: The home region's service (this one, unless this is a replica region's service).
        self.home: DynamoDB = home if home is not None else cast("DynamoDB", self)
        #: Every region's service by region name (shared by all regions of the Cloud).
        self.regions: dict[str, DynamoDB] = home.regions if home is not None else {}
        self.regions[self.region] = cast("DynamoDB", self)
        #: Replication groups by table name (shared).
        self.global_tables: dict[str, ReplicationGroup] = (
            home.global_tables if home is not None else {}
        )
        #: True while a replicated write is being committed (the hooks must not send it on).
        self._replicating = False

    def region_service(self, name: str) -> "DynamoDB":
        """The DynamoDB service of region ``name`` in this Cloud (created on first use)."""
        svc = self.regions.get(name)
        if svc is None:
            from .service import DynamoDB

            svc = DynamoDB(self.cloud, self.home.config, region=name, home=self.home)
        return svc

    def region_client(self, name: str) -> Any:
        """A boto3-shaped client of region ``name``'s DynamoDB."""
        from ..adapters.client import make_client

        client = make_client(self.cloud, self.region_service(name))
        client.meta.region_name = name
        return client

    def region_table(self, region: str, name: str) -> Table:
        """The engine Table ``name`` of region ``region`` (ResourceNotFoundException if absent)."""
        return self.region_service(region).get_table(name)

    def replication_group(self, table: Table) -> ReplicationGroup | None:
        group = self.global_tables.get(table.name)
        if group is None:
            return None
        member = group.members.get(self.region)
        return group if member is not None and member.table is table else None

    # -- UpdateTable(ReplicaUpdates) -----------------------------------------------------
    def _plan_replica_updates(self, table: Table, updates: Any, stream: dict | None) -> list:
        """Validate ReplicaUpdates before UpdateTable changes anything; returns the plan."""
        if not updates:
            return []
        plan = []
        group = self.replication_group(table)
        members = set(group.members) if group is not None else {self.region}
        for upd in updates:
            if not isinstance(upd, dict) or len(upd) != 1:
                raise ValidationException(
                    "One or more parameter values were invalid: One of ReplicationGroupUpdate.Create, "
                    "ReplicationGroupUpdate.Update, ReplicationGroupUpdate.Delete must be specified"
                )
            (action, spec), = upd.items()
            region = (spec or {}).get("RegionName")
            if not isinstance(region, str) or not region:
                raise ValidationException(
                    "1 validation error detected: Value null at 'replicaUpdates.member.regionName' "
                    "failed to satisfy constraint: Member must not be null"
                )
            if action == "Create":
                if region in members:
                    raise ValidationException(
                        f"One or more parameter values were invalid: Table already exists in region {region}"
                        if region == self.region
                        else f"One or more parameter values were invalid: Replica already exists in region {region}"
                    )
                other = self.regions.get(region)
                if other is not None and table.name in other.tables:
                    raise ValidationException(
                        f"Failed to create a the new replica of table with name: '{table.name}' "
                        f"because one or more replicas already existed as tables."
                    )
                spec_now = stream if stream is not None else table.stream_spec
                if spec_now is not None and spec_now.get("StreamEnabled") and spec_now.get("StreamViewType") != "NEW_AND_OLD_IMAGES":
                    raise ValidationException(
                        "One or more parameter values were invalid: Table must have DynamoDB "
                        "Streams enabled with StreamViewType set to NEW_AND_OLD_IMAGES"
                    )
                members.add(region)
            elif action == "Delete":
                if region not in members or region == self.region and len(members) == 1:
                    raise ValidationException(
                        f"One or more parameter values were invalid: Cannot delete replica in region "
                        f"{region}: the table has no replica there"
                    )
                members.discard(region)
            elif action == "Update":
                if region not in members:
                    raise ValidationException(
                        f"One or more parameter values were invalid: Cannot update replica in region "
                        f"{region}: the table has no replica there"
                    )
            else:
                raise ValidationException(f"Unknown replica update action {action}")
            plan.append((action, region))
        return plan

    def _apply_replica_updates(self, table: Table, plan: list) -> None:
        group = self.replication_group(table)
        if group is None:
            group = ReplicationGroup(table.name)
            self.global_tables[table.name] = group
            group.members[self.region] = me = Replica(group, cast("DynamoDB", self), table, "ACTIVE")
            table.change_hooks.append(me.hook)
        if table.stream_spec is None:
            table.stream_spec = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
            table.stream_label = self._stream_label()
            self._stream_changed(table)
        for action, region in plan:
            if action == "Create":
                self._create_replica(group, table, region)
            elif action == "Delete":
                self._delete_replica(group, region)
        if len(group.members) <= 1:
            self._dissolve(group)

    def _create_replica(self, group: ReplicationGroup, source: Table, region: str) -> None:
        other = self.region_service(region)
        req = table_schema(source)
        req["TableName"] = source.name
        req["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        delay = self.config.replica_create_delay
        other._create_table_wire(req)
        replica_table = other.tables[source.name]
        load(replica_table, snapshot(source))
        status = "CREATING" if delay > 0 else "ACTIVE"
        member = Replica(group, other, replica_table, status)
        group.members[region] = member
        replica_table.change_hooks.append(member.hook)
        if delay > 0:
            self.cloud.call_later(delay, self._replica_active, member)
        self.cloud.trace.record("dynamodb", "replica_created", table=source.name, region=region)

    def _replica_active(self, member: Replica) -> None:
        if member.status == "CREATING":
            member.status = "ACTIVE"

    def _delete_replica(self, group: ReplicationGroup, region: str) -> None:
        member = group.members.pop(region, None)
        if member is None:
            return
        try:
            member.table.change_hooks.remove(member.hook)
        except ValueError:  # pragma: no cover
            pass
        svc = member.service
        if svc.tables.get(member.table.name) is member.table and member.table.status != "DELETING":
            member.table.deletion_protection = False
            svc._delete_table_wire({"TableName": member.table.name})
        self.cloud.trace.record("dynamodb", "replica_deleted", table=group.name, region=region)

    def _dissolve(self, group: ReplicationGroup) -> None:
        for member in list(group.members.values()):
            try:
                member.table.change_hooks.remove(member.hook)
            except ValueError:  # pragma: no cover
                pass
        group.members.clear()
        if self.global_tables.get(group.name) is group:
            del self.global_tables[group.name]

    def _global_table_deleted(self, table: Table) -> None:
        group = self.replication_group(table)
        if group is None:
            return
        member = group.members.pop(self.region)
        try:
            table.change_hooks.remove(member.hook)
        except ValueError:  # pragma: no cover
            pass
        if len(group.members) <= 1:
            self._dissolve(group)

    def _describe_global(self, table: Table, d: dict) -> None:
        group = self.replication_group(table)
        if group is None or len(group.members) <= 1:
            return
        d["Replicas"] = [
            {"RegionName": r, "ReplicaStatus": m.status}
            for r, m in sorted(group.members.items())
            if r != self.region
        ]
        d["GlobalTableVersion"] = VERSION
