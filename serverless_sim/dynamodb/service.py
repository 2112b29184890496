"""The DynamoDB service of one Cloud: its tables and every wire operation.

Wire operations live in one mixin per concept: the control plane in :mod:`.tables`, single-item
reads and writes in :mod:`.items`, Query and Scan in :mod:`.query`, batches in :mod:`.batch`,
transactions in :mod:`.transactions`; behaviour over time in :mod:`.ttl` (Time to Live),
:mod:`.streams` (DynamoDB Streams; the ``dynamodbstreams`` service is there too), :mod:`.backups`
(point-in-time recovery and on-demand backups) and :mod:`.global_tables` (replicas). The Pythonic API is :mod:`.native`
(``cloud.dynamodb.create_table(...)``, ``cloud.dynamodb.table("orders")``).

Configuration (``DynamoDB(cloud, config=DynamoDBConfig(...))`` or ``cloud.dynamodb.config``,
changeable at any time): the virtual seconds a table or index spends in CREATING / UPDATING /
DELETING. All default to 0: the change is complete when the call returns (the response still
shows the transitional status, as AWS's does).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from ..kernel.service import Service
from .errors import ERRORS, ResourceNotFoundException
from .items import ItemOps
from .native import NativeAPI
from .query import QueryOps
from .table import Table
from .backups import BackupOps
from .global_tables import GlobalTableOps
from .streams import StreamsOps
from .tables import ControlPlaneOps
from .throughput import ThroughputConfig, ThroughputOps
from .ttl import DEFAULT_DELETE_DELAY, DelayModel, TimeToLiveOps

try:
    from .batch import BatchOps
except ImportError:  # pragma: no cover - helper B2's module not there yet

    class BatchOps:  # type: ignore[no-redef]
        pass


try:
    from .transactions import TransactionOps
except ImportError:  # pragma: no cover

    class TransactionOps:  # type: ignore[no-redef]
        pass


if TYPE_CHECKING:
    from ..cloud import Cloud


@attrs.define
class DynamoDBConfig:
    """Tunable timings of the simulated control plane, in virtual seconds (0 = instant)."""

    #: CREATING -> ACTIVE for CreateTable.
    table_create_delay: float = 0.0
    #: UPDATING -> ACTIVE for UpdateTable changes (throughput, billing mode, streams...).
    table_update_delay: float = 0.0
    #: DELETING -> gone for DeleteTable.
    table_delete_delay: float = 0.0
    #: CREATING -> ACTIVE for a GSI added by UpdateTable (the backfill).
    index_create_delay: float = 0.0
    #: DELETING -> gone for a GSI removed by UpdateTable.
    index_delete_delay: float = 0.0
    #: The item-collection limit of tables with LSIs (AWS: 10 GB); lower it to test the error.
    item_collection_limit_bytes: int = 10 * 1024**3
    #: Capacity, partitions, throttling, index lag (see :mod:`.throughput`).
    throughput: ThroughputConfig = attrs.Factory(ThroughputConfig)
    #: TTL: delay from expiry to deletion, drawn per expiry value from ``dynamodb/ttl/<table>``:
    #: seconds, a ``(low, high)`` uniform range, or ``rng -> seconds``. AWS: "typically within
    #: 48 hours"; default uniform 5 min - 48 h; 0 = right after expiry (see :mod:`.ttl`).
    ttl_delete_delay: DelayModel = DEFAULT_DELETE_DELAY
    #: TTL: seconds in ENABLING / DISABLING after UpdateTimeToLive (AWS shows ENABLED at once).
    ttl_update_delay: float = 0.0
    #: Streams: seconds a shard stays open before it closes and a child opens (AWS: ~4 hours).
    stream_shard_lifetime: float = 4 * 3600.0
    #: Streams: seconds a stream shows ENABLING (DISABLING) before ENABLED (DISABLED).
    stream_status_delay: float = 0.0
    #: Global tables: replication delay per write and destination, seconds: a number, a
    #: ``(low, high)`` uniform range, or ``rng -> seconds`` (AWS: "typically within a second").
    replication_delay: DelayModel = (0.5, 1.5)
    #: Global tables: seconds a new replica spends CREATING (and a removed one DELETING).
    replica_create_delay: float = 0.0
    #: On-demand backups: seconds a backup spends CREATING before AVAILABLE.
    backup_create_delay: float = 0.0


class DynamoDB(
    TimeToLiveOps,
    StreamsOps,
    BackupOps,
    GlobalTableOps,
    ControlPlaneOps,
    ThroughputOps,
    ItemOps,
    QueryOps,
    BatchOps,
    TransactionOps,
    NativeAPI,
    Service,
):
    """Amazon DynamoDB (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/)."""

    service_name = "dynamodb"
    errors = ERRORS  # type: ignore[assignment]

    def __init__(
        self,
        cloud: "Cloud",
        config: DynamoDBConfig | None = None,
        *,
        region: str | None = None,
        home: "DynamoDB | None" = None,
    ) -> None:
        super().__init__(cloud)
        self.config = config if config is not None else DynamoDBConfig()
        #: The region this service answers for (a replica region's service has its own).
        self.region = region or cloud.region
        #: Tables by name (including CREATING and DELETING ones).
        self.tables: dict[str, Table] = {}
        self._init_ttl()
        self._init_streams()
        self._init_backups(home)
        self._init_global_tables(home)

    def get_table(self, name: Any) -> Table:
        """The table ``name`` for a data-plane call.

        Raises ``ResourceNotFoundException("Requested resource not found")`` when it does not
        exist, is still CREATING, or is being deleted (AWS "might" keep serving a DELETING table;
        we stop at once, deterministically). Accepts a table ARN as AWS does.
        """
        table = self.tables.get(name)
        if table is None:
            table = self._table_by_arn(name)
        if table is None or table.status == "CREATING" or table.status == "DELETING":
            raise ResourceNotFoundException("Requested resource not found")
        return table

    def _table_by_arn(self, name: Any) -> Table | None:
        if isinstance(name, str) and name.startswith("arn:"):
            tail = name.rsplit(":table/", 1)
            if len(tail) == 2:
                table = self.tables.get(tail[1])
                if table is not None and table.arn == name:
                    return table
        return None

    def _table_deleted(self, table: Table) -> None:
        """DeleteTable's hook for the features over time (TTL, streams, PITR, replicas)."""
        self._ttl_table_deleted(table)
        self._streams_table_deleted(table)
        self._backups_table_deleted(table)
        self._global_table_deleted(table)

    def __repr__(self) -> str:
        return f"<DynamoDB {self.region} tables={len(self.tables)}>"
