"""The control plane: CreateTable, DescribeTable, ListTables, UpdateTable, DeleteTable, tags and
DescribeLimits (TTL, streams, backups and replicas hook in from :mod:`.ttl`, :mod:`.streams`,
:mod:`.backups` and :mod:`.global_tables`).

AWS behaviour modelled (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html
and the pages of the other actions):

* every AttributeDefinition must be used by the table or an index key, and every key attribute
  must be defined; key schemas are HASH then optional RANGE (a GSI: 1-4 HASH then 0-4 RANGE
  attributes, multi-attribute keys of Nov 2025); attribute types S, N, B;
* ``BillingMode`` PROVISIONED (the default) requires ``ProvisionedThroughput`` for the table and
  every GSI, PAY_PER_REQUEST forbids it; units are at least 1;
* at most 20 GSIs and 5 LSIs; an LSI has the table's hash key and its own range key, and needs a
  table with a range key; projections KEYS_ONLY / INCLUDE (1-20 NonKeyAttributes, at most 100
  over all indexes) / ALL;
* status CREATING -> ACTIVE, UPDATING -> ACTIVE, DELETING -> gone on the virtual clock after the
  delays of :class:`~.service.DynamoDBConfig` (default 0: done when the call returns; the
  response still shows the transitional status);
* UpdateTable: one GSI created or deleted per call, billing-mode switches, throughput changes
  (decreases counted per UTC day: 4, then one per hour), streams, deletion protection, table
  class; DeleteTable refuses a protected table.

Known deviations: ``ItemCount``/``TableSizeBytes`` are exact at all times (AWS refreshes them about
every six hours); the PROVISIONED -> PAY_PER_REQUEST switch limit is not enforced.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import TYPE_CHECKING, Any

from ..kernel.service import operation
from .errors import (
    LimitExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
    ValidationException,
)
from .indexes import Index
from .table import Table

if TYPE_CHECKING:
    from ..cloud import Cloud
    from .service import DynamoDBConfig

_INVALID = "One or more parameter values were invalid: "
_NAME_RE = re.compile(r"[a-zA-Z0-9_.-]+\Z")
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)

MAX_GSIS = 20
MAX_LSIS = 5
MAX_PROJECTED = 100
MAX_TAGS = 50

ACCOUNT_MAX_UNITS = 80_000
TABLE_MAX_UNITS = 40_000


def us_to_datetime(us: int) -> _dt.datetime:
    return _EPOCH + _dt.timedelta(microseconds=us)


def validation_errors(errors: list[str]) -> None:
    """Raise AWS's "N validation error(s) detected: ..." for shape-level violations."""
    if errors:
        n = len(errors)
        word = "error" if n == 1 else "errors"
        raise ValidationException(f"{n} validation {word} detected: " + "; ".join(errors))


def check_name(value: Any, where: str, errors: list[str], *, required: bool = True) -> None:
    """Table and index names: 3-255 characters of ``[a-zA-Z0-9_.-]``."""
    if value is None:
        if required:
            errors.append(
                f"Value null at '{where}' failed to satisfy constraint: Member must not be null"
            )
        return
    if not isinstance(value, str):
        raise ValidationException(f"Invalid type for parameter {where}, value: {value!r}")
    if len(value) < 3:
        errors.append(
            f"Value '{value}' at '{where}' failed to satisfy constraint: Member must have length "
            "greater than or equal to 3"
        )
    if len(value) > 255:
        errors.append(
            f"Value '{value}' at '{where}' failed to satisfy constraint: Member must have length "
            "less than or equal to 255"
        )
    if not _NAME_RE.match(value):
        errors.append(
            f"Value '{value}' at '{where}' failed to satisfy constraint: Member must satisfy "
            "regular expression pattern: [a-zA-Z0-9_.-]+"
        )


def _enum(value: Any, allowed: tuple[str, ...], where: str, errors: list[str]) -> None:
    if value is not None and value not in allowed:
        errors.append(
            f"Value '{value}' at '{where}' failed to satisfy constraint: Member must satisfy enum "
            f"value set: [{', '.join(allowed)}]"
        )


def check_attribute_definitions(ad: Any, errors: list[str]) -> None:
    """Shape errors of AttributeDefinitions members: a null name or type, a name longer than
    255 characters, an unknown type (AWS's generic validator; ALT:test_table.py,
    test_limits.py::*_incoherent_names)."""
    for i, d in enumerate(ad, 1):
        where = f"attributeDefinitions.{i}.member"
        name = d.get("AttributeName") if isinstance(d, dict) else None
        if name is None:
            errors.append(
                f"Value null at '{where}.attributeName' failed to satisfy constraint: Member must not be null"
            )
        elif isinstance(name, str) and len(name) > 255:
            errors.append(
                f"Value '{name}' at '{where}.attributeName' failed to satisfy constraint: Member "
                "must have length less than or equal to 255"
            )
        kind = d.get("AttributeType") if isinstance(d, dict) else None
        if kind is None:
            errors.append(
                f"Value null at '{where}.attributeType' failed to satisfy constraint: Member must not be null"
            )
        else:
            _enum(kind, ("B", "N", "S"), f"{where}.attributeType", errors)


def parse_gsi_key_schema(ks: Any, where: str) -> tuple[list[str], list[str]]:
    """``(HASH names, RANGE names)`` of a GSI KeySchema: 1-4 HASH attributes, then 0-4 RANGE
    attributes, all distinct (multi-attribute keys, Nov 2025; ALT:test_gsi_composite_keys.py).
    A one- or two-element schema is checked exactly as a table's."""
    if (
        not isinstance(ks, list)
        or len(ks) < 2
        or (len(ks) == 2 and isinstance(ks[1], dict) and ks[1].get("KeyType") != "HASH")
    ):
        h, r = parse_key_schema(ks, where)
        return [h], ([r] if r is not None else [])
    parse_key_schema(ks, where, max_elements=8)
    hashes = [e["AttributeName"] for e in ks if e["KeyType"] == "HASH"]
    ranges = [e["AttributeName"] for e in ks if e["KeyType"] == "RANGE"]
    seen_range = False
    for e in ks:
        if e["KeyType"] == "RANGE":
            seen_range = True
        elif seen_range:
            raise ValidationException(
                _INVALID + "All HASH key attributes must precede RANGE key attributes in the KeySchema"
            )
    for kind, names in (("HASH", hashes), ("RANGE", ranges)):
        if len(names) > 4:
            raise ValidationException(
                _INVALID + f"The KeySchema exceeds the maximum allowed number of {kind} key attributes"
            )
    if len(set(hashes + ranges)) != len(hashes) + len(ranges):
        raise ValidationException("The KeySchema contains multiple key attributes with the same name")
    return hashes, ranges


def parse_key_schema(ks: Any, where: str, *, max_elements: int = 2) -> tuple[str, str | None]:
    """``(hash name, range name or None)`` from a KeySchema, with AWS's errors."""
    if not isinstance(ks, list):
        validation_errors(
            [f"Value null at '{where}' failed to satisfy constraint: Member must not be null"]
        )
    errors: list[str] = []
    if len(ks) < 1:
        errors.append(
            f"Value '[]' at '{where}' failed to satisfy constraint: Member must have length "
            "greater than or equal to 1"
        )
    if len(ks) > max_elements:
        shown = ", ".join(
            f"KeySchemaElement(attributeName={e.get('AttributeName')}, keyType={e.get('KeyType')})"
            for e in ks
        )
        errors.append(
            f"Value '[{shown}]' at '{where}' failed to satisfy constraint: Member must have "
            f"length less than or equal to {max_elements}"
        )
    for i, e in enumerate(ks, 1):
        _enum(e.get("KeyType"), ("HASH", "RANGE"), f"{where}.{i}.member.keyType", errors)
        name = e.get("AttributeName")
        if not isinstance(name, str) or not 1 <= len(name) <= 255:
            errors.append(
                f"Value '{name}' at '{where}.{i}.member.attributeName' failed to satisfy "
                "constraint: Member must have length less than or equal to 255"
                if isinstance(name, str)
                else f"Value null at '{where}.{i}.member.attributeName' failed to satisfy "
                "constraint: Member must not be null"
            )
    validation_errors(errors)
    if ks[0]["KeyType"] != "HASH":
        raise ValidationException("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
    if len(ks) == 2 and max_elements == 2:
        if ks[1]["KeyType"] != "RANGE":
            raise ValidationException(
                "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type"
            )
        if ks[0]["AttributeName"] == ks[1]["AttributeName"]:
            raise ValidationException(
                "Both the Hash Key and the Range Key element in the KeySchema have the same name"
            )
        return ks[0]["AttributeName"], ks[1]["AttributeName"]
    return ks[0]["AttributeName"], None


def parse_throughput(pt: Any, where: str, errors: list[str]) -> tuple[int, int] | None:
    if pt is None:
        return None
    r = pt.get("ReadCapacityUnits")
    w = pt.get("WriteCapacityUnits")
    for value, name in ((r, "readCapacityUnits"), (w, "writeCapacityUnits")):
        if value is None:
            errors.append(
                f"Value null at '{where}.{name}' failed to satisfy constraint: Member must not be null"
            )
        elif value < 1:
            errors.append(
                f"Value '{value}' at '{where}.{name}' failed to satisfy constraint: Member must "
                "have value greater than or equal to 1"
            )
    if r is None or w is None:
        return None
    return int(r), int(w)


def parse_projection(proj: Any, index_name: str) -> tuple[str, tuple[str, ...]]:
    if not isinstance(proj, dict):
        raise ValidationException(
            f"1 validation error detected: Value null at 'projection' failed to satisfy "
            "constraint: Member must not be null"
        )
    ptype = proj.get("ProjectionType")
    if ptype is None:
        raise ValidationException(_INVALID + "Unknown ProjectionType: null")
    errors: list[str] = []
    _enum(ptype, ("ALL", "KEYS_ONLY", "INCLUDE"), "projection.projectionType", errors)
    validation_errors(errors)
    nka = proj.get("NonKeyAttributes")
    if ptype == "INCLUDE":
        if not nka:
            raise ValidationException(
                _INVALID + "ProjectionType is INCLUDE, but NonKeyAttributes is not specified"
            )
        if len(nka) > 20:
            validation_errors(
                [
                    f"Value '{nka}' at 'projection.nonKeyAttributes' failed to satisfy constraint: "
                    "Member must have length less than or equal to 20"
                ]
            )
        if any(not isinstance(n, str) or not 1 <= len(n) <= 255 for n in nka):
            validation_errors(
                [
                    f"Value '[{', '.join(map(str, nka))}]' at 'projection.nonKeyAttributes' failed "
                    "to satisfy constraint: Member must satisfy constraint: [Member must have "
                    "length less than or equal to 255, Member must have length greater than or "
                    "equal to 1]"
                ]
            )
        if len(set(nka)) != len(nka):
            raise ValidationException(_INVALID + f"Duplicate NonKeyAttributes for index: {index_name}")
        return ptype, tuple(nka)
    if nka is not None:
        raise ValidationException(
            _INVALID + f"ProjectionType is {ptype}, but NonKeyAttributes is specified"
        )
    return ptype, ()


#: DescribeTable members that DeleteTable's description leaves out (ALT:test_table.py
#: test_delete_table_description*: AWS returns name, id, ARN, status, throughput and sizes).
_NOT_IN_DELETE = frozenset(
    {"KeySchema", "AttributeDefinitions", "CreationDateTime", "GlobalSecondaryIndexes",
     "LocalSecondaryIndexes"}
)


def _deleting(description: dict) -> dict:
    return {k: v for k, v in description.items() if k not in _NOT_IN_DELETE}


def _tag_char(c: str) -> bool:
    """A character AWS allows in tag keys and values: letters, separators (spaces), digits and
    ``_ . : / = + - @`` (API:Tag, pattern ``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*``)."""
    return c.isalnum() or c.isspace() or c in "_.:/=+-@"


class ControlPlaneOps:
    """Wire operations on tables (a mixin of :class:`~.service.DynamoDB`)."""

    # What this mixin uses from its host class and sibling mixins (for mypy only).
    if TYPE_CHECKING:
        cloud: Cloud
        config: DynamoDBConfig
        region: str
        tables: dict[str, Table]
        def _apply_replica_updates(self, table: Table, plan: list) -> None: ...
        def _describe_global(self, table: Table, d: dict) -> None: ...
        def _describe_restore(self, table: Table, d: dict) -> None: ...
        def _plan_replica_updates(self, table: Table, updates: Any, stream: dict | None) -> list: ...
        def _stream_changed(self, table: Table) -> None: ...
        def _table_by_arn(self, name: Any) -> Table | None: ...
        def _table_deleted(self, table: Table) -> None: ...
        def _track_capacity(self, table: "Table", on_demand_spec: Any = None) -> None: ...

    # -- helpers --------------------------------------------------------------------------
    def _table_for_control(self, name: Any, where: str = "tableName") -> Table:
        errors: list[str] = []
        if not (isinstance(name, str) and name.startswith("arn:")):
            check_name(name, where, errors)
        validation_errors(errors)
        table = self.tables.get(name) or self._table_by_arn(name)
        if table is None:
            raise ResourceNotFoundException(f"Requested resource not found: Table: {name} not found")
        return table

    def _make_index(self,
        table_arn: str,
        kind: str,
        spec: dict,
        attr_types: dict[str, str],
        hash_key: str,
        range_key: str | None,
        billing: str,
    ) -> Index:
        errors: list[str] = []
        where = "globalSecondaryIndexes" if kind == "GSI" else "localSecondaryIndexes"
        name = spec.get("IndexName")
        check_name(name, f"{where}.member.indexName", errors)
        validation_errors(errors)
        assert isinstance(name, str)  # check_name raised or recorded an error otherwise
        if kind == "GSI":
            hashes, ranges = parse_gsi_key_schema(spec.get("KeySchema"), f"{where}.member.keySchema")
        else:
            h, r = parse_key_schema(spec.get("KeySchema"), f"{where}.member.keySchema")
            hashes, ranges = [h], ([r] if r is not None else [])
        ihash, irange = hashes[0], (ranges[0] if ranges else None)
        ptype, nka = parse_projection(spec.get("Projection"), name)
        missing = [k for k in (*hashes, *ranges) if k not in attr_types]
        if missing:
            raise ValidationException(
                _INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
                f"Keys: [{', '.join((*hashes, *ranges))}], AttributeDefinitions: "
                f"[{', '.join(attr_types)}]"
            )
        rcu = wcu = 0
        if kind == "GSI":
            pt_errors: list[str] = []
            pt = parse_throughput(spec.get("ProvisionedThroughput"), f"{where}.member.provisionedThroughput", pt_errors)
            validation_errors(pt_errors)
            if billing == "PROVISIONED":
                if pt is None:
                    raise ValidationException(
                        _INVALID + f"ProvisionedThroughput must be specified for index: {name}"
                    )
                rcu, wcu = pt
            elif spec.get("ProvisionedThroughput") is not None:
                raise ValidationException(
                    _INVALID + f"ProvisionedThroughput should not be specified for index: {name} "
                    "when BillingMode is PAY_PER_REQUEST"
                )
        else:
            if range_key is None:
                raise ValidationException(
                    _INVALID + "Table KeySchema does not have a range key, which is required when "
                    "specifying a LocalSecondaryIndex"
                )
            if irange is None:
                raise ValidationException(
                    _INVALID + f"Index KeySchema does not have a range key for index: {name}"
                )
            if ihash != hash_key:
                raise ValidationException(
                    _INVALID + "Index KeySchema does not have the same leading hash key as table "
                    f"KeySchema for index: {name}. index hash key: {ihash}, table hash key: {hash_key}"
                )
        return Index(
            name=name,
            kind=kind,
            arn=f"{table_arn}/index/{name}",
            hash_key=ihash,
            hash_type=attr_types[ihash],
            range_key=irange,
            range_type=attr_types.get(irange) if irange else None,
            projection_type=ptype,
            non_key_attributes=nka,
            table_hash=hash_key,
            table_hash_type=attr_types[hash_key],
            table_range=range_key,
            table_range_type=attr_types.get(range_key) if range_key else None,
            read_capacity=rcu,
            write_capacity=wcu,
            hash_attrs=tuple((k, attr_types[k]) for k in hashes),
            range_attrs=tuple((k, attr_types[k]) for k in ranges),
        )

    def _set_status_later(self, delay: float, fn: Any, *args: Any) -> None:
        if delay <= 0:
            fn(*args)
        else:
            self.cloud.call_later(delay, fn, *args)

    # -- CreateTable ----------------------------------------------------------------------
    @operation("CreateTable")
    def _create_table_wire(self, request: dict) -> dict:
        """CreateTable (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html)."""
        errors: list[str] = []
        name = request.get("TableName")
        check_name(name, "tableName", errors)
        ad = request.get("AttributeDefinitions")
        if ad is None:
            errors.append(
                "Value null at 'attributeDefinitions' failed to satisfy constraint: Member must not be null"
            )
        else:
            check_attribute_definitions(ad, errors)
        if request.get("KeySchema") is None:
            errors.append("Value null at 'keySchema' failed to satisfy constraint: Member must not be null")
        billing = request.get("BillingMode")
        _enum(billing, ("PROVISIONED", "PAY_PER_REQUEST"), "billingMode", errors)
        _enum(request.get("TableClass"), ("STANDARD", "STANDARD_INFREQUENT_ACCESS"), "tableClass", errors)
        pt = parse_throughput(request.get("ProvisionedThroughput"), "provisionedThroughput", errors)
        validation_errors(errors)
        assert isinstance(name, str) and ad is not None  # validation_errors raised otherwise
        hash_key, range_key = parse_key_schema(request["KeySchema"], "keySchema")
        attr_types: dict[str, str] = {}
        for d in ad:
            an = d.get("AttributeName")
            if an in attr_types:
                raise ValidationException(_INVALID + f"Duplicate AttributeName in AttributeDefinitions: {an}")
            attr_types[an] = d["AttributeType"]
        keys = [k for k in (hash_key, range_key) if k]
        if any(k not in attr_types for k in keys):
            raise ValidationException(
                _INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
                f"Keys: [{', '.join(keys)}], AttributeDefinitions: [{', '.join(attr_types)}]"
            )
        billing = billing or "PROVISIONED"
        if billing == "PROVISIONED" and pt is None:
            raise ValidationException(
                _INVALID + "ReadCapacityUnits and WriteCapacityUnits must both be specified when "
                "BillingMode is PROVISIONED"
            )
        if billing == "PAY_PER_REQUEST" and request.get("ProvisionedThroughput") is not None:
            raise ValidationException(
                _INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                "BillingMode is PAY_PER_REQUEST"
            )
        arn = self.cloud.arn("dynamodb", f"table/{name}", region=self.region)
        gsis: dict[str, Index] = {}
        lsis: dict[str, Index] = {}
        for kind, member, limit, out in (
            ("LSI", "LocalSecondaryIndexes", MAX_LSIS, lsis),
            ("GSI", "GlobalSecondaryIndexes", MAX_GSIS, gsis),
        ):
            specs = request.get(member)
            if specs is None:
                continue
            if not specs:
                raise ValidationException(_INVALID + f"List of {member} is empty")
            if len(specs) > limit:
                if kind == "GSI":
                    raise ValidationException(
                        _INVALID + f"GlobalSecondaryIndex count exceeds the per-table limit of {limit}"
                    )
                raise ValidationException(
                    _INVALID + f"Number of LocalSecondaryIndexes exceeds per-table limit of {limit}"
                )
            for spec in specs:
                index = self._make_index(arn, kind, spec, attr_types, hash_key, range_key, billing)
                if index.name in gsis or index.name in lsis:
                    raise ValidationException(_INVALID + f"Duplicate index name: {index.name}")
                out[index.name] = index
        projected = sum(len(ix.non_key_attributes) for ix in (*gsis.values(), *lsis.values()))
        if projected > MAX_PROJECTED:
            raise ValidationException(
                _INVALID + "The number of projected attributes in all indexes exceeds the limit "
                f"of {MAX_PROJECTED}, provided: {projected}"
            )
        used = set(keys)
        for ix in (*gsis.values(), *lsis.values()):
            used.update(ix.index_key_names)
        if set(attr_types) - used:
            if gsis or lsis:
                raise ValidationException(
                    _INVALID + "Some AttributeDefinitions are not used. AttributeDefinitions: "
                    f"[{', '.join(attr_types)}], keys used: [{', '.join(k for k in attr_types if k in used)}]"
                )
            raise ValidationException(
                _INVALID + "Number of attributes in KeySchema does not exactly match number of "
                "attributes defined in AttributeDefinitions"
            )
        tags = self._parse_tags(request.get("Tags") or [])
        stream = self._parse_stream_spec(request.get("StreamSpecification"))
        if name in self.tables:
            raise ResourceInUseException(f"Table already exists: {name}")
        now = self.cloud.now_us
        table = Table(
            name=name,
            arn=arn,
            table_id=self.cloud.streams.uuid("dynamodb/table-ids"),
            created_us=now,
            hash_key=hash_key,
            hash_type=attr_types[hash_key],
            range_key=range_key,
            range_type=attr_types[range_key] if range_key else None,
            attribute_definitions=[
                {"AttributeName": k, "AttributeType": v} for k, v in attr_types.items()
            ],
            billing_mode=billing,
            billing_mode_explicit=request.get("BillingMode") is not None,
            read_capacity=pt[0] if pt else 0,
            write_capacity=pt[1] if pt else 0,
            last_pay_per_request_us=now if billing == "PAY_PER_REQUEST" else None,
            gsis=gsis,
            lsis=lsis,
            tags=tags,
            deletion_protection=bool(request.get("DeletionProtectionEnabled", False)),
            table_class=request.get("TableClass"),
            sse=self._parse_sse(request.get("SSESpecification")),
        )
        if stream is not None and stream.get("StreamEnabled"):
            table.stream_spec = stream
            table.stream_label = self._stream_label()
        for ix in gsis.values():
            ix.status = "CREATING"
        self.tables[name] = table
        if table.stream_spec is not None:
            self._stream_changed(table)
        self._track_capacity(table, request.get("OnDemandThroughput"))
        description = self._describe(table)
        self.cloud.trace.record("dynamodb", "table_status", table=name, status="CREATING")
        self._set_status_later(self.config.table_create_delay, self._finish_create, table)
        return {"TableDescription": description}

    def _finish_create(self, table: Table) -> None:
        if self.tables.get(table.name) is not table or table.status != "CREATING":
            return
        table.status = "ACTIVE"
        for ix in table.gsis.values():
            ix.status = "ACTIVE"
        self.cloud.trace.record("dynamodb", "table_status", table=table.name, status="ACTIVE")

    def _stream_label(self) -> str:
        now = self.cloud.now
        return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}"

    def _parse_stream_spec(self, spec: Any) -> dict | None:
        if spec is None:
            return None
        errors: list[str] = []
        enabled = spec.get("StreamEnabled")
        if enabled is None:
            errors.append(
                "Value null at 'streamSpecification.streamEnabled' failed to satisfy constraint: "
                "Member must not be null"
            )
        view = spec.get("StreamViewType")
        _enum(view, ("NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"), "streamSpecification.streamViewType", errors)
        validation_errors(errors)
        if enabled and view is None:
            raise ValidationException(
                _INVALID + "You must specify a StreamViewType when enabling a DynamoDB stream"
            )
        if not enabled and view is not None:
            raise ValidationException(
                _INVALID + "You cannot specify a StreamViewType when disabling a DynamoDB stream"
            )
        return {"StreamEnabled": bool(enabled), **({"StreamViewType": view} if view else {})}

    def _parse_sse(self, spec: Any) -> dict | None:
        if not spec or not spec.get("Enabled"):
            return None
        key = spec.get("KMSMasterKeyId") or "alias/aws/dynamodb"
        if not key.startswith("arn:"):
            key = self.cloud.arn("kms", f"key/{self.cloud.streams.uuid('dynamodb/kms-keys')}")
        return {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key}

    def _parse_tags(self, tags: Any) -> dict[str, str]:
        out: dict[str, str] = {}
        errors: list[str] = []
        for i, tag in enumerate(tags, 1):
            key = tag.get("Key")
            value = tag.get("Value")
            if not isinstance(key, str) or not 1 <= len(key) <= 128:
                errors.append(
                    f"Value '{key}' at 'tags.{i}.member.key' failed to satisfy constraint: Member "
                    "must have length less than or equal to 128"
                )
            if not isinstance(value, str) or len(value) > 256:
                errors.append(
                    f"Value '{value}' at 'tags.{i}.member.value' failed to satisfy constraint: "
                    "Member must have length less than or equal to 256"
                )
            for text, field in ((key, "key"), (value, "value")):
                if isinstance(text, str) and not all(_tag_char(c) for c in text):
                    errors.append(
                        f"Value '{text}' at 'tags.{i}.member.{field}' failed to satisfy "
                        "constraint: Member must satisfy regular expression pattern: "
                        "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*"
                    )
            out[key] = value
        validation_errors(errors)
        if len(out) > MAX_TAGS:
            raise ValidationException(
                "Number of Tags exceed the current limit for the provided ResourceArn"
            )
        return out

    # -- DescribeTable --------------------------------------------------------------------
    def _throughput(self, owner: Any, billing: str) -> dict:
        out: dict[str, Any] = {}
        if owner.last_increase_us is not None:
            out["LastIncreaseDateTime"] = us_to_datetime(owner.last_increase_us)
        if owner.last_decrease_us is not None:
            out["LastDecreaseDateTime"] = us_to_datetime(owner.last_decrease_us)
        out["NumberOfDecreasesToday"] = self._decreases_today(owner)
        out["ReadCapacityUnits"] = owner.read_capacity if billing == "PROVISIONED" else 0
        out["WriteCapacityUnits"] = owner.write_capacity if billing == "PROVISIONED" else 0
        return out

    def _decreases_today(self, owner: Any) -> int:
        day = self.cloud.now_us // 86_400_000_000
        return sum(1 for us in owner.decreases if us // 86_400_000_000 == day)

    def _describe(self, table: Table) -> dict:
        """The TableDescription of ``table`` (API:TableDescription)."""
        d: dict[str, Any] = {
            "AttributeDefinitions": [dict(a) for a in table.attribute_definitions],
            "TableName": table.name,
            "KeySchema": [{"AttributeName": table.hash_key, "KeyType": "HASH"}]
            + ([{"AttributeName": table.range_key, "KeyType": "RANGE"}] if table.range_key else []),
            "TableStatus": table.status,
            "CreationDateTime": us_to_datetime(table.created_us),
            "ProvisionedThroughput": self._throughput(table, table.billing_mode),
            "TableSizeBytes": table.size_bytes,
            "ItemCount": table.item_count,
            "TableArn": table.arn,
            "TableId": table.table_id,
        }
        if table.billing_mode == "PAY_PER_REQUEST" or table.billing_mode_explicit:
            summary: dict[str, Any] = {"BillingMode": table.billing_mode}
            if table.last_pay_per_request_us is not None:
                summary["LastUpdateToPayPerRequestDateTime"] = us_to_datetime(
                    table.last_pay_per_request_us
                )
            d["BillingModeSummary"] = summary
        if table.lsis:
            d["LocalSecondaryIndexes"] = [
                {
                    "IndexName": ix.name,
                    "KeySchema": ix.key_schema(),
                    "Projection": ix.projection(),
                    "IndexSizeBytes": ix.store.nbytes,
                    "ItemCount": ix.store.count,
                    "IndexArn": ix.arn,
                }
                for ix in table.lsis.values()
            ]
        if table.gsis:
            gsis = []
            for ix in table.gsis.values():
                g: dict[str, Any] = {
                    "IndexName": ix.name,
                    "KeySchema": ix.key_schema(),
                    "Projection": ix.projection(),
                    "IndexStatus": ix.status,
                }
                if ix.status == "CREATING" and table.status != "CREATING":
                    g["Backfilling"] = ix.backfilling
                g["ProvisionedThroughput"] = self._throughput(ix, table.billing_mode)
                g["IndexSizeBytes"] = ix.store.nbytes
                g["ItemCount"] = ix.store.count
                g["IndexArn"] = ix.arn
                gsis.append(g)
            d["GlobalSecondaryIndexes"] = gsis
        if table.stream_spec is not None:
            d["StreamSpecification"] = dict(table.stream_spec)
        if table.stream_label is not None:
            d["LatestStreamLabel"] = table.stream_label
            d["LatestStreamArn"] = f"{table.arn}/stream/{table.stream_label}"
        if table.sse is not None:
            d["SSEDescription"] = dict(table.sse)
        if table.table_class is not None:
            tcs: dict[str, Any] = {"TableClass": table.table_class}
            if table.table_class_updated_us is not None:
                tcs["LastUpdateDateTime"] = us_to_datetime(table.table_class_updated_us)
            d["TableClassSummary"] = tcs
        d["DeletionProtectionEnabled"] = table.deletion_protection
        self._describe_global(table, d)
        self._describe_restore(table, d)
        return d

    @operation("DescribeTable")
    def describe_table(self, request: dict) -> dict:
        """DescribeTable (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html)."""
        table = self._table_for_control(request.get("TableName"))
        return {"Table": self._describe(table)}

    # -- ListTables -----------------------------------------------------------------------
    @operation("ListTables")
    def list_tables(self, request: dict) -> dict:
        """ListTables: names in ascending order, ``Limit`` 1-100 (default 100). O(T log T)."""
        errors: list[str] = []
        limit = request.get("Limit", 100)
        if limit is not None and not 1 <= limit <= 100:
            bound = "greater than or equal to 1" if limit < 1 else "less than or equal to 100"
            errors.append(
                f"Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value {bound}"
            )
        start = request.get("ExclusiveStartTableName")
        check_name(start, "exclusiveStartTableName", errors, required=False)
        validation_errors(errors)
        names = sorted(n for n, t in self.tables.items())
        if start is not None:
            names = [n for n in names if n > start]
        page = names[:limit]
        out: dict[str, Any] = {"TableNames": page}
        if len(names) > limit:
            out["LastEvaluatedTableName"] = page[-1]
        return out

    # -- DeleteTable ----------------------------------------------------------------------
    @operation("DeleteTable")
    def _delete_table_wire(self, request: dict) -> dict:
        """DeleteTable: refuses a protected or CREATING/UPDATING table; returns DELETING."""
        table = self._table_for_control(request.get("TableName"))
        if table.status == "CREATING":
            raise ResourceInUseException(
                f"Attempt to change a resource which is still in use: Table is being created: {table.name}"
            )
        if table.status == "UPDATING":
            raise ResourceInUseException(
                f"Attempt to change a resource which is still in use: Table is being updated: {table.name}"
            )
        if table.deletion_protection:
            raise ValidationException(
                "Resource cannot be deleted as it is currently protected against deletion. "
                "Disable deletion protection first."
            )
        if table.status != "DELETING":
            table.status = "DELETING"
            self._table_deleted(table)
            self.cloud.trace.record("dynamodb", "table_status", table=table.name, status="DELETING")
            description = _deleting(self._describe(table))
            self._set_status_later(self.config.table_delete_delay, self._finish_delete, table)
            return {"TableDescription": description}
        return {"TableDescription": _deleting(self._describe(table))}

    def _finish_delete(self, table: Table) -> None:
        if self.tables.get(table.name) is table:
            del self.tables[table.name]
            table.status = "DELETED"
            self.cloud.trace.record("dynamodb", "table_status", table=table.name, status="DELETED")

    # -- UpdateTable ----------------------------------------------------------------------
    @operation("UpdateTable")
    def update_table(self, request: dict) -> dict:
        """UpdateTable (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html)."""
        table = self._table_for_control(request.get("TableName"))
        errors: list[str] = []
        billing = request.get("BillingMode")
        _enum(billing, ("PROVISIONED", "PAY_PER_REQUEST"), "billingMode", errors)
        _enum(request.get("TableClass"), ("STANDARD", "STANDARD_INFREQUENT_ACCESS"), "tableClass", errors)
        pt = parse_throughput(request.get("ProvisionedThroughput"), "provisionedThroughput", errors)
        validation_errors(errors)
        changes = [
            k
            for k in (
                "ProvisionedThroughput",
                "BillingMode",
                "StreamSpecification",
                "GlobalSecondaryIndexUpdates",
                "SSESpecification",
                "ReplicaUpdates",
                "TableClass",
                "DeletionProtectionEnabled",
                "OnDemandThroughput",
                "WarmThroughput",
            )
            if request.get(k) is not None and request.get(k) != []
        ]
        if not changes:
            raise ValidationException(
                "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
                "GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required"
            )
        if table.status != "ACTIVE":
            what = {"CREATING": "created", "UPDATING": "updated", "DELETING": "deleted"}.get(
                table.status, "updated"
            )
            raise ResourceInUseException(
                f"Attempt to change a resource which is still in use: Table is being {what}: {table.name}"
            )
        now = self.cloud.now_us
        new_billing = billing or table.billing_mode
        # Validate everything before changing anything.
        attr_types = dict(table.attribute_types)
        ad_errors: list[str] = []
        check_attribute_definitions(request.get("AttributeDefinitions") or [], ad_errors)
        validation_errors(ad_errors)
        for d in request.get("AttributeDefinitions") or []:
            old_type = attr_types.setdefault(d["AttributeName"], d["AttributeType"])
            if old_type != d["AttributeType"]:
                raise ValidationException(
                    _INVALID + "Attributes cannot be redefined. Please check that your attribute "
                    "has the same type as previously defined. Existing schema: "
                    f"{d['AttributeName']}:{old_type} New schema: {d['AttributeName']}:{d['AttributeType']}"
                )
        gsi_updates = request.get("GlobalSecondaryIndexUpdates")
        creates, deletes, updates = [], [], []
        if gsi_updates is not None:
            for upd in gsi_updates:
                known = [k for k in ("Create", "Delete", "Update") if isinstance(upd, dict) and upd.get(k) is not None]
                if not known:
                    raise ValidationException(
                        _INVALID + "One of GlobalSecondaryIndexUpdate.Update, "
                        "GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null"
                    )
                if len(known) > 1:
                    raise ValidationException(
                        _INVALID + "Only one global secondary index action is allowed per "
                        "GlobalSecondaryIndexUpdate object"
                    )
                if "Create" in upd:
                    creates.append(upd["Create"])
                elif "Delete" in upd:
                    deletes.append(upd["Delete"])
                elif "Update" in upd:
                    updates.append(upd["Update"])
            if len(creates) + len(deletes) > 1:
                raise LimitExceededException(
                    "Subscriber limit exceeded: Only 1 online index can be created or deleted "
                    "simultaneously per table"
                )
        if new_billing == "PAY_PER_REQUEST" and pt is not None:
            raise ValidationException(
                _INVALID + "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when "
                "BillingMode is PAY_PER_REQUEST"
            )
        if billing == "PROVISIONED" and table.billing_mode == "PAY_PER_REQUEST" and pt is None:
            raise ValidationException(
                _INVALID + "ProvisionedThroughput must be specified when BillingMode is PROVISIONED"
            )
        if pt is not None and billing is None and (pt[0], pt[1]) == (
            table.read_capacity,
            table.write_capacity,
        ):
            raise ValidationException(
                "The provisioned throughput for the table will not change. The requested value "
                "equals the current value. Current ReadCapacityUnits provisioned for the table: "
                f"{table.read_capacity}. Requested ReadCapacityUnits: {pt[0]}. Current "
                f"WriteCapacityUnits provisioned for the table: {table.write_capacity}. Requested "
                f"WriteCapacityUnits: {pt[1]}. Refer to the Amazon DynamoDB Developer Guide for "
                "current limits and how to request higher limits."
            )
        new_index = None
        for spec in creates:
            name = spec.get("IndexName")
            if name in table.gsis or name in table.lsis:
                raise ValidationException("Attempting to create an index which already exists")
            if len(table.gsis) >= MAX_GSIS:
                raise LimitExceededException(
                    f"Subscriber limit exceeded: The number of global secondary indexes exceeds "
                    f"the per-table limit of {MAX_GSIS}"
                )
            new_index = self._make_index(
                table.arn, "GSI", spec, attr_types, table.hash_key, table.range_key, new_billing
            )
            defined = [d["AttributeName"] for d in request.get("AttributeDefinitions") or []]
            if any(k not in defined for k in new_index.index_key_names):
                # Even attributes the table already defines must be given again
                # (ALT:test_gsi_updatetable.py::test_gsi_backfill_with_lsi).
                raise ValidationException(
                    _INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
                    f"Keys: [{', '.join(new_index.index_key_names)}], AttributeDefinitions: "
                    f"[{', '.join(defined)}]"
                )
        for spec in deletes:
            name = spec.get("IndexName")
            if name not in table.gsis:
                raise ResourceNotFoundException(
                    f"Requested resource not found: Index: {name} not found"
                )
        index_pts: dict[str, tuple[int, int]] = {}
        for spec in updates:
            name = spec.get("IndexName")
            if name not in table.gsis:
                raise ResourceNotFoundException(
                    f"Requested resource not found: Index: {name} not found"
                )
            ipt_errors: list[str] = []
            ipt = parse_throughput(spec.get("ProvisionedThroughput"), "provisionedThroughput", ipt_errors)
            validation_errors(ipt_errors)
            if ipt is not None:
                if new_billing == "PAY_PER_REQUEST":
                    raise ValidationException(
                        _INVALID + f"ProvisionedThroughput should not be specified for index: {name} "
                        "when BillingMode is PAY_PER_REQUEST"
                    )
                index_pts[name] = ipt
        if billing == "PROVISIONED" and table.billing_mode == "PAY_PER_REQUEST":
            for name in table.gsis:
                if name not in index_pts and not any(d.get("IndexName") == name for d in deletes):
                    raise ValidationException(
                        _INVALID + f"ProvisionedThroughput must be specified for index: {name}"
                    )
        stream = self._parse_stream_spec(request.get("StreamSpecification"))
        if stream is not None:
            if stream["StreamEnabled"] and table.stream_spec is not None:
                # ValidationException, as AWS answers (ALT:test_streams.py::test_streams_enable_on_enabled).
                raise ValidationException(f"Table already has an enabled stream: TableName: {table.name}")
            if not stream["StreamEnabled"] and table.stream_spec is None:
                raise ValidationException(f"Table has no stream to disable: TableName: {table.name}")
        replica_plan = self._plan_replica_updates(table, request.get("ReplicaUpdates"), stream)
        # Apply.
        if billing is not None and billing != table.billing_mode:
            table.billing_mode = billing
            if billing == "PAY_PER_REQUEST":
                table.last_pay_per_request_us = now
        if billing is not None:
            table.billing_mode_explicit = True
        if pt is not None:
            self._set_capacity(table, pt, now)
        for name, ipt in index_pts.items():
            self._set_capacity(table.gsis[name], ipt, now)
        if stream is not None:
            if stream["StreamEnabled"]:
                table.stream_spec = stream
                table.stream_label = self._stream_label()
            else:
                table.stream_spec = None
            self._stream_changed(table)
        if request.get("DeletionProtectionEnabled") is not None:
            table.deletion_protection = bool(request["DeletionProtectionEnabled"])
        if request.get("TableClass") is not None:
            table.table_class = request["TableClass"]
            table.table_class_updated_us = now
        if request.get("SSESpecification") is not None:
            table.sse = self._parse_sse(request["SSESpecification"])
        if request.get("AttributeDefinitions"):
            table.attribute_definitions = [
                {"AttributeName": k, "AttributeType": v} for k, v in attr_types.items()
            ]
            table.attribute_types = attr_types
        if new_index is not None:
            new_index.status = "CREATING"
            new_index.backfilling = True
            table.gsis[new_index.name] = new_index
            new_index.rebuild(self._all_encoded(table))
            self._set_status_later(self.config.index_create_delay, self._finish_index, table, new_index)
        for spec in deletes:
            ix = table.gsis[spec["IndexName"]]
            ix.status = "DELETING"
            self._set_status_later(self.config.index_delete_delay, self._drop_index, table, ix)
        if replica_plan:
            self._apply_replica_updates(table, replica_plan)
        self._track_capacity(table, request.get("OnDemandThroughput"))
        table.status = "UPDATING"
        description = self._describe(table)
        self._set_status_later(self.config.table_update_delay, self._finish_update, table)
        return {"TableDescription": description}

    def _all_encoded(self, table: Table) -> list[tuple]:
        return [enc for _pk, _sk, enc in table.store.scan()]

    def _set_capacity(self, owner: Any, pt: tuple[int, int], now: int) -> None:
        r, w = pt
        if r > owner.read_capacity or w > owner.write_capacity:
            owner.last_increase_us = now
        if r < owner.read_capacity or w < owner.write_capacity:
            today = self._decreases_today(owner)
            last = owner.decreases[-1] if owner.decreases else None
            if today >= 4 and last is not None and now - last < 3_600_000_000:
                raise LimitExceededException(
                    "Subscriber limit exceeded: Provisioned throughput decreases are limited within "
                    "a given UTC day. After the first 4 decreases, each subsequent decrease in the "
                    "same UTC day can be performed at most once every 3600 seconds. Number of "
                    f"decreases today: {today}. Last decrease at {us_to_datetime(last).isoformat()}. "
                    "Next decrease can be made at "
                    f"{us_to_datetime(last + 3_600_000_000).isoformat()}"
                )
            owner.decreases.append(now)
            owner.last_decrease_us = now
        owner.read_capacity, owner.write_capacity = r, w

    def _finish_update(self, table: Table) -> None:
        if table.status == "UPDATING" and self.tables.get(table.name) is table:
            if all(ix.status == "ACTIVE" for ix in table.gsis.values()):
                table.status = "ACTIVE"

    def _finish_index(self, table: Table, index: Index) -> None:
        if table.gsis.get(index.name) is index and index.status == "CREATING":
            index.status = "ACTIVE"
            index.backfilling = False
            self.cloud.trace.record("dynamodb", "index_status", table=table.name, index=index.name, status="ACTIVE")
        self._finish_update(table)

    def _drop_index(self, table: Table, index: Index) -> None:
        if table.gsis.get(index.name) is index:
            del table.gsis[index.name]
        self._finish_update(table)

    # -- tags -----------------------------------------------------------------------------
    def _table_for_arn(self, arn: Any) -> Table:
        if not isinstance(arn, str) or not arn.startswith("arn:"):
            raise ValidationException(_INVALID + f"ARNs must start with 'arn:': {arn}")
        if ":table/" in arn and "/index/" in arn:
            raise ValidationException(
                _INVALID + "Invalid resource arn provided, only table or stream is accepted. "
                f"Provided resource arn: {arn}"
            )
        if ":table/" not in arn:
            raise ValidationException(f"Invalid TableArn: Invalid ResourceArn provided as input {arn}")
        table = self._table_by_arn(arn)
        if table is None or table.status == "DELETED":
            raise ResourceNotFoundException(f"Requested resource not found: ResourcArn: {arn} not found")
        return table

    @operation("TagResource")
    def tag_resource(self, request: dict) -> dict:
        """TagResource: adds or overwrites tags (at most 50 per resource)."""
        table = self._table_for_arn(request.get("ResourceArn"))
        if not request.get("Tags"):
            raise ValidationException("Atleast one Tag needs to be provided as Input.")
        tags = self._parse_tags(request["Tags"])
        merged = {**table.tags, **tags}
        if len(merged) > MAX_TAGS:
            raise ValidationException(
                "Number of Tags exceed the current limit for the provided ResourceArn"
            )
        table.tags = merged
        return {}

    @operation("UntagResource")
    def untag_resource(self, request: dict) -> dict:
        table = self._table_for_arn(request.get("ResourceArn"))
        for key in request.get("TagKeys") or []:
            table.tags.pop(key, None)
        return {}

    @operation("ListTagsOfResource")
    def list_tags_of_resource(self, request: dict) -> dict:
        table = self._table_for_arn(request.get("ResourceArn"))
        return {"Tags": [{"Key": k, "Value": v} for k, v in table.tags.items()]}

    # -- endpoints ------------------------------------------------------------------------
    @operation("DescribeEndpoints")
    def describe_endpoints(self, request: dict) -> dict:
        """DescribeEndpoints (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeEndpoints.html):
        the one regional endpoint, cacheable for a day (AWS answers 1440 minutes)."""
        return {
            "Endpoints": [
                {"Address": f"dynamodb.{self.region}.amazonaws.com", "CachePeriodInMinutes": 1440}
            ]
        }

    # -- limits (TTL is in ttl.py) --------------------------------------------------------
    @operation("DescribeLimits")
    def describe_limits(self, request: dict) -> dict:
        """The default quotas (DG:ServiceQuotas): 80,000 units per account, 40,000 per table."""
        return {
            "AccountMaxReadCapacityUnits": ACCOUNT_MAX_UNITS,
            "AccountMaxWriteCapacityUnits": ACCOUNT_MAX_UNITS,
            "TableMaxReadCapacityUnits": TABLE_MAX_UNITS,
            "TableMaxWriteCapacityUnits": TABLE_MAX_UNITS,
        }
