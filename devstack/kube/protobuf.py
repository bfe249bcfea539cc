"""Decode `application/vnd.kubernetes.protobuf` request bodies into the JSON form of the object.

kubectl's typed clients (`kubectl create namespace|configmap|secret|deployment|role...`, `kubectl auth can-i`)
send protobuf and accept JSON back, so the stand-in only needs to read protobuf, never write it. The body is the
runtime.Unknown envelope behind the magic "k8s\\0": typeMeta (apiVersion, kind) and the raw message.
"""

import base64
import json
import struct
from datetime import UTC, datetime

from devstack.kube.errors import bad_request
from devstack.kube.protobuf_schema import MESSAGES

MAGIC = b"k8s\x00"
_PACKAGES = {"": "core", "apps": "apps", "batch": "batch", "rbac.authorization.k8s.io": "rbac",
             "networking.k8s.io": "networking", "authorization.k8s.io": "authorization",
             "authentication.k8s.io": "authentication", "autoscaling": "autoscaling"}
# gogo-protobuf writes every non-pointer field, so zero values mean "unset" except for these pointer fields.
_MEANINGFUL_ZEROES = frozenset({"replicas", "automountServiceAccountToken", "immutable", "suspend", "parallelism",
                                "completions", "backoffLimit", "gracePeriodSeconds", "orphanDependents"})


def decode(data: bytes) -> dict:
    if not data.startswith(MAGIC):
        raise bad_request("the body of the request was in an unknown format: missing protobuf magic")
    envelope = _fields(data[len(MAGIC):])
    type_meta = {number: value for number, _, value in _fields(envelope.get_one(1, b""))}
    api_version, kind = type_meta.get(1, b"").decode(), type_meta.get(2, b"").decode()
    message = message_name(api_version, kind)
    if message not in MESSAGES:
        raise bad_request(f'no kind "{kind}" is registered for version "{api_version}" in protobuf')
    return {"apiVersion": api_version, "kind": kind, **_message(message, envelope.get_one(2, b""))}


def message_name(api_version: str, kind: str) -> str:
    """The schema's name for a kind: "apps/v1" Deployment -> "apps.v1.Deployment"."""
    if kind == "DeleteOptions":
        return "meta.DeleteOptions"
    group, _, version = api_version.rpartition("/")
    return f"{_PACKAGES.get(group, '?')}.{version}.{kind}"


class _Fields(list):
    def get_one(self, number: int, default):
        return next((value for n, _, value in self if n == number), default)


def _varint(data: bytes, position: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7


def _fields(data: bytes) -> _Fields:
    """The wire format: (field number, wire type, raw value) triples."""
    fields, position = _Fields(), 0
    try:
        while position < len(data):
            key, position = _varint(data, position)
            number, wire_type = key >> 3, key & 7
            if wire_type == 0:
                value, position = _varint(data, position)
            elif wire_type == 1:
                value, position = data[position:position + 8], position + 8
            elif wire_type == 2:
                length, position = _varint(data, position)
                value, position = data[position:position + length], position + length
            elif wire_type == 5:
                value, position = data[position:position + 4], position + 4
            else:
                raise bad_request(f"unsupported protobuf wire type {wire_type}")
            fields.append((number, wire_type, value))
    except IndexError:
        raise bad_request("the body of the request was in an unknown format: truncated protobuf") from None
    return fields


def _message(name: str, data: bytes) -> dict:
    schema, result = MESSAGES[name], {}
    for number, _, raw in _fields(data):
        if number not in schema:
            continue
        field, kind, repeated = schema[number]
        if isinstance(kind, tuple):
            entry = _fields(raw)
            result.setdefault(field, {})[entry.get_one(1, b"").decode()] = _value(kind[1], entry.get_one(2, b""))
        elif repeated:
            result.setdefault(field, []).append(_value(kind, raw))
        else:
            result[field] = _value(kind, raw)
    return {k: v for k, v in result.items() if not _unset(k, v)}


def _unset(field: str, value) -> bool:
    if value is None or value == "" or value == {} or value == []:
        return True
    return value in (0, False) and not isinstance(value, float) and field not in _MEANINGFUL_ZEROES


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _value(kind: str, raw):
    if kind == "string":
        return raw.decode()
    if kind == "bytes":
        return base64.b64encode(raw).decode()
    if kind in ("int32", "int64"):
        return _signed(raw)
    if kind == "bool":
        return bool(raw)
    if kind == "double":
        return struct.unpack("<d", raw)[0]
    special = _SPECIAL.get(kind)
    if special:
        return special({n: v for n, _, v in _fields(raw)})
    return _message(kind, raw)


def _time(fields: dict, micro: bool = False):
    seconds, nanos = _signed(fields.get(1, 0)), fields.get(2, 0)
    if not seconds and not nanos:
        return None
    moment = datetime.fromtimestamp(seconds + nanos / 1e9, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if micro else "%Y-%m-%dT%H:%M:%SZ")


def _int_or_string(fields: dict):
    return fields.get(3, b"").decode() if fields.get(1) == 1 else _signed(fields.get(2, 0))


def _duration(fields: dict) -> str:
    return f"{_signed(fields.get(1, 0)) / 1e9:g}s"


_SPECIAL = {
    "meta.Time": _time,
    "meta.MicroTime": lambda fields: _time(fields, micro=True),
    "api.resource.Quantity": lambda fields: fields.get(1, b"").decode(),
    "util.intstr.IntOrString": _int_or_string,
    "runtime.RawExtension": lambda fields: json.loads(fields[1]) if fields.get(1) else None,
    "meta.FieldsV1": lambda fields: json.loads(fields[1]) if fields.get(1) else None,
    "meta.Duration": _duration,
}
