"""Zipkin v2 JSON spans: read with Zipkin's normalisation and its error messages, written as Zipkin writes them.

Reading follows zipkin2's `V2SpanReader` and `Span.Builder`: ids are checked and left-padded, a 32-character
trace id whose high half is zero becomes 16 characters, names and service names are lower-cased, negative or
zero timestamps and durations are dropped, `parentId == id` is undone, `shared` is dropped on CLIENT spans,
annotations are sorted and de-duplicated, tags sorted by key, unparsable IPs ignored. A bad span refuses the
whole message with the text Zipkin's collector answers (`... reading List<Span> from json`).
"""

import gzip
import ipaddress
import json
import zlib

READING = " reading List<Span> from json"
LIST_EXPECTED = "Expected a JSON_V2 encoded list\n"
V1_RECEIVED = "Expected a JSON_V2 encoded list, but received: JSON_V1\n"
MALFORMED = "Malformed" + READING
KINDS = ("CLIENT", "SERVER", "PRODUCER", "CONSUMER")
_LONG = (-(2**63), 2**63 - 1)
_INT = (-(2**31), 2**31 - 1)


class SpanError(ValueError):
    """Spans Zipkin would refuse; str(error) is the body of its 400 answer."""


def gunzip(body: bytes) -> bytes:
    if not body:
        return body
    try:
        return gzip.decompress(body)
    except (OSError, EOFError, zlib.error):
        raise SpanError("Cannot gunzip spans") from None


def decode_spans(body: bytes) -> list[dict]:
    """A POSTed JSON list of v2 spans, normalised; `b""` and `b"[]"` are an empty list, as in Zipkin."""
    if not body or body == b"[]":
        return []
    first = body[0]
    if first <= 16:  # what Zipkin takes for thrift or proto3; neither parses as JSON
        if first not in (11, 12) and not (first == 10 and len(body) > 1 and body[1] != 0):
            raise SpanError(LIST_EXPECTED)
        raise SpanError(MALFORMED)
    if first != ord("["):  # also a lone object and leading whitespace, as Zipkin's format detection refuses them
        raise SpanError(LIST_EXPECTED)
    if b'yAnnotations"' in body:
        raise SpanError(V1_RECEIVED)
    try:
        document = json.loads(body)
    except ValueError:  # includes UnicodeDecodeError
        raise SpanError(MALFORMED) from None
    if not isinstance(document, list):
        raise SpanError(MALFORMED)
    try:
        return [read_span(raw, f"$[{index}]") for index, raw in enumerate(document)]
    except SpanError as error:
        raise SpanError(f"{error}{READING}") from None


def read_span(raw, path: str = "$") -> dict:
    """One span object; raises SpanError with Zipkin's message (without the `reading List<Span>` suffix)."""
    if not isinstance(raw, dict):
        raise SpanError("Malformed")
    fields: dict = {}
    for name, value in raw.items():
        at = f"{path}.{name}"
        if name == "traceId":
            fields["traceId"] = normalize_trace_id(_string(value, at))
        elif name == "id":
            fields["id"] = _span_id(_string(value, at))
        elif value is None:
            continue
        elif name == "parentId":
            fields["parentId"] = _parent_id(_string(value, at))
        elif name == "kind":
            kind = _string(value, at)
            if kind not in KINDS:
                raise SpanError(f"No enum constant zipkin2.Span.Kind.{kind}")
            fields["kind"] = kind
        elif name == "name":
            fields["name"] = _string(value, at).lower() or None
        elif name in ("timestamp", "duration"):
            fields[name] = max(_number(value, at, "a long", _LONG), 0) or None
        elif name in ("localEndpoint", "remoteEndpoint"):
            fields[name] = _endpoint(value, at)
        elif name == "annotations":
            fields["annotations"] = _annotations(value, at)
        elif name == "tags":
            fields["tags"] = _tags(value, at)
        elif name in ("debug", "shared"):
            fields[name] = _boolean(value, at) or None
    missing = "".join(f" {key}" for key in ("traceId", "id") if key not in fields)
    if missing:
        raise SpanError(f"Missing :{missing}")
    if fields.get("parentId") == fields["id"]:
        fields["parentId"] = None
    if fields.get("kind") == "CLIENT":
        fields["shared"] = None
    order = ("traceId", "parentId", "id", "kind", "name", "timestamp", "duration", "localEndpoint",
             "remoteEndpoint", "annotations", "tags", "debug", "shared")
    return {key: fields[key] for key in order if fields.get(key) not in (None, [], {})}


def encode(value) -> bytes:
    """JSON as Zipkin writes it: compact, UTF-8."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


# ---- ids ---------------------------------------------------------------------------------------------------


def _zero_prefix(hex_id: str) -> int:
    """Zipkin's validateHexAndReturnZeroPrefix: the count of leading zeros, or an error if not lower-hex."""
    if any(c not in "0123456789abcdef" for c in hex_id):
        raise SpanError(f"{hex_id} should be lower-hex encoded with no prefix")
    return len(hex_id) - len(hex_id.lstrip("0"))


def normalize_trace_id(trace_id: str) -> str:
    """Span.normalizeTraceId: 16 or 32 lower-hex characters, padded left; a zero high half is dropped."""
    if not trace_id:
        raise SpanError("traceId is empty")
    if len(trace_id) > 32:
        raise SpanError("traceId.length > 32")
    zeros = _zero_prefix(trace_id)
    if zeros == len(trace_id):
        raise SpanError("traceId is all zeros")
    if len(trace_id) == 32 and zeros >= 16:
        return trace_id[16:]
    return trace_id.rjust(16 if len(trace_id) <= 16 else 32, "0")


def _span_id(span_id: str) -> str:
    if not span_id:
        raise SpanError("id is empty")
    if len(span_id) > 16:
        raise SpanError("id.length > 16")
    if _zero_prefix(span_id) == 16:
        raise SpanError("id is all zeros")
    return span_id.rjust(16, "0")


def _parent_id(parent_id: str) -> str | None:
    if not parent_id:
        raise SpanError("parentId is empty")
    if len(parent_id) > 16:
        raise SpanError("parentId.length > 16")
    if _zero_prefix(parent_id) == len(parent_id):
        return None
    return parent_id.rjust(16, "0")


# ---- values, with the messages of the JSON reader Zipkin uses (Moshi) --------------------------------------


def _token(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int | float):
        return "NUMBER"
    if isinstance(value, str):
        return "STRING"
    return "BEGIN_ARRAY" if isinstance(value, list) else "BEGIN_OBJECT"


def _string(value, at: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):  # Moshi reads numbers as strings
        return str(value)
    raise SpanError(f"Expected a string but was {_token(value)} at path {at}")


def _number(value, at: str, expected: str, bounds: tuple[int, int]) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise SpanError(f"Expected {expected} but was {_token(value)} at path {at}")
    try:
        number = int(value) if not isinstance(value, float) or value.is_integer() else None
    except ValueError:
        number = None
    if number is None or not bounds[0] <= number <= bounds[1]:
        raise SpanError(f"Expected {expected} but was {value} at path {at}")
    return number


def _boolean(value, at: str) -> bool:
    if not isinstance(value, bool):
        raise SpanError(f"Expected a boolean but was {_token(value)} at path {at}")
    return value


def _endpoint(value, at: str) -> dict | None:
    if not isinstance(value, dict):
        raise SpanError("Malformed")
    endpoint: dict = {}
    read_field = False
    for name, field in value.items():
        if field is None:
            continue
        if name == "serviceName":
            endpoint["serviceName"] = _string(field, f"{at}.{name}").lower() or None
            read_field = True
        elif name in ("ipv4", "ipv6"):
            _parse_ip(_string(field, f"{at}.{name}"), endpoint)
            read_field = True
        elif name == "port":
            port = _number(field, f"{at}.{name}", "an int", _INT)
            if port > 0xFFFF:
                raise SpanError(f"invalid port {port}")
            endpoint["port"] = port if port > 0 else None
            read_field = True
    ordered = {key: endpoint[key] for key in ("serviceName", "ipv4", "ipv6", "port") if endpoint.get(key)}
    return ordered if read_field and ordered else None


def _parse_ip(text: str, endpoint: dict) -> None:
    """Endpoint.Builder.parseIp: IPv4 as given, IPv4-mapped IPv6 as IPv4, IPv6 compressed; anything else ignored."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return
    if address.version == 4:
        endpoint["ipv4"] = text
    elif address.ipv4_mapped is not None:
        endpoint["ipv4"] = str(address.ipv4_mapped)
    else:
        endpoint["ipv6"] = address.compressed


def _annotations(value, at: str) -> list[dict]:
    if not isinstance(value, list):
        raise SpanError("Malformed")
    found = set()
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise SpanError("Malformed")
        timestamp = item.get("timestamp")
        text = item.get("value")
        if timestamp is None or text is None:
            raise SpanError(f"Incomplete annotation at {at}[{index}]")
        found.add((_number(timestamp, f"{at}[{index}].timestamp", "a long", _LONG),
                   _string(text, f"{at}[{index}].value")))
    return [{"timestamp": timestamp, "value": text} for timestamp, text in sorted(found)]


def _tags(value, at: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise SpanError("Malformed")
    tags = {}
    for key, tag in value.items():
        if tag is None:
            raise SpanError(f"No value at {at}.{key}")
        tags[key] = _string(tag, f"{at}.{key}")
    return dict(sorted(tags.items()))
