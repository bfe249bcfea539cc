"""POST /api/v2/spans as Zipkin's collector answers it: 202 and nothing else for good spans, 400 with its
messages for bad ones (the whole message refused), its normalisation of what it stores."""

import gzip
import http.client

import pytest
import requests

from devstack.traces import SpanError
from tests.devstack.traces.conftest import post, query, span, trace_id

GOOD = {"traceId": "5af7183fb1d4cf5f", "id": "352bff9a74ca9ad2", "name": "get /api", "timestamp": 1556604172355737,
        "duration": 1431}


def test_good_spans_are_accepted_with_an_empty_202(server):
    answer = post(server, [span(1), span(1, name="child", parent=1), span(2)])
    assert answer.status_code == 202 and answer.content == b""
    assert server.span_count == 3 and len(server.traces()) == 2
    assert post(server, b"").status_code == 202 and post(server, b"[]").status_code == 202


def test_gzip_bodies_are_accepted_and_broken_ones_refused(server):
    body = gzip.compress(f'[{{"traceId":"{trace_id(7)}","id":"0000000000000007"}}]'.encode())
    assert post(server, body, **{"Content-Encoding": "gzip", "Content-Type": "application/json"}).status_code == 202
    assert server.trace(trace_id(7)) == [{"traceId": trace_id(7), "id": "0000000000000007"}]
    broken = post(server, b"not gzip at all", **{"Content-Encoding": "gzip"})
    assert (broken.status_code, broken.text) == (400, "Cannot gunzip spans")


def test_a_chunked_body_is_read(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request("POST", "/api/v2/spans", body=iter([b'[{"traceId":"a","id":', b'"b"}]']),
                       headers={"Content-Type": "application/json"}, encode_chunked=True)
    assert connection.getresponse().status == 202
    connection.close()
    assert server.trace("a")[0]["id"] == "000000000000000b"


@pytest.mark.parametrize(("body", "message"), [
    (b"hello", "Expected a JSON_V2 encoded list\n"),
    (b'{"traceId":"a","id":"b"}', "Expected a JSON_V2 encoded list\n"),
    (b'[{"traceId":"a",', "Malformed reading List<Span> from json"),
    (b"[1]", "Malformed reading List<Span> from json"),
    (b'[{"traceId":"a","id":"b","binaryAnnotations":[]}]', "Expected a JSON_V2 encoded list, but received: JSON_V1\n"),
    (b'[{"traceId":"A","id":"b"}]', "A should be lower-hex encoded with no prefix reading List<Span> from json"),
    (b'[{"traceId":"0x1","id":"b"}]', "0x1 should be lower-hex encoded with no prefix reading List<Span> from json"),
    (b'[{"traceId":"' + b"a" * 33 + b'","id":"b"}]', "traceId.length > 32 reading List<Span> from json"),
    (b'[{"traceId":"0000","id":"b"}]', "traceId is all zeros reading List<Span> from json"),
    (b'[{"traceId":"a","id":"0000000000000000"}]', "id is all zeros reading List<Span> from json"),
    (b'[{"traceId":"a","id":"12345678901234567"}]', "id.length > 16 reading List<Span> from json"),
    (b'[{"traceId":"a"}]', "Missing : id reading List<Span> from json"),
    (b'[{"name":"x"}]', "Missing : traceId id reading List<Span> from json"),
    (b'[{"traceId":null,"id":"b"}]',
     "Expected a string but was NULL at path $[0].traceId reading List<Span> from json"),
    (b'[{"traceId":"a","id":"b","kind":"INTERNAL"}]',
     "No enum constant zipkin2.Span.Kind.INTERNAL reading List<Span> from json"),
    (b'[{"traceId":"a","id":"b","timestamp":"soon"}]',
     "Expected a long but was soon at path $[0].timestamp reading List<Span> from json"),
    (b'[{"traceId":"a","id":"b","tags":{"error":true}}]',
     "Expected a string but was BOOLEAN at path $[0].tags.error reading List<Span> from json"),
    (b'[{"traceId":"a","id":"b","tags":{"error":null}}]', "No value at $[0].tags.error reading List<Span> from json"),
    (b'[{"traceId":"a","id":"b","annotations":[{"value":"ws"}]}]',
     "Incomplete annotation at $[0].annotations[0] reading List<Span> from json"),
    (b'[{"traceId":"a","id":"b","localEndpoint":{"port":70000}}]', "invalid port 70000 reading List<Span> from json"),
    (b'[{"traceId":"a","id":"b","debug":"yes"}]',
     "Expected a boolean but was STRING at path $[0].debug reading List<Span> from json"),
    (b"\x0c\x00\x00\x00\x01", "Malformed reading List<Span> from json"),  # thrift, read as JSON as Zipkin does
])
def test_malformed_messages_are_refused_with_zipkins_message(server, body, message):
    answer = post(server, body, **{"Content-Type": "application/json"})
    assert (answer.status_code, answer.text) == (400, message)
    assert answer.headers["Content-Type"].startswith("text/plain")
    assert server.span_count == 0


def test_one_bad_span_refuses_the_whole_message(server):
    answer = post(server, [span(1), span(1, parent=1), {"traceId": trace_id(2), "id": "not hex"}])
    assert (answer.status_code, answer.text) == (
        400, "not hex should be lower-hex encoded with no prefix reading List<Span> from json")
    assert server.span_count == 0 and query(server, "traces").json() == []


def test_thrift_is_read_as_json_and_proto3_is_refused_as_unsupported(server):
    thrift = post(server, b"\x0c\x00\x00\x00\x01\x0b\x00\x03", **{"Content-Type": "application/x-thrift"})
    assert (thrift.status_code, thrift.text) == (400, "Malformed reading List<Span> from json")
    proto3 = post(server, b"\n\x1a\n\x10", **{"Content-Type": "application/x-protobuf"})
    assert proto3.status_code == 415 and "proto3" in proto3.text


def test_spans_are_normalised_as_zipkin_stores_them(server):
    assert post(server, [
        {"traceId": "00000000000000005af7183fb1d4cf5f", "id": "abc", "parentId": "abc", "name": "GET /API",
         "kind": "CLIENT", "shared": True, "debug": False, "timestamp": -5, "duration": 0,
         "localEndpoint": {"serviceName": "Campus-Portal", "ipv4": "not-an-ip", "port": 0},
         "remoteEndpoint": {"serviceName": "", "ipv6": "::ffff:10.0.0.1"},
         "annotations": [{"timestamp": 2, "value": "b"}, {"timestamp": 1, "value": "z"},
                         {"timestamp": 2, "value": "b"}],
         "tags": {"z": "1", "a": 2}, "unknown": {"ignored": True}},
        {"traceId": "5af7183fb1d4cf5f", "id": "0000000000000def", "parentId": "0000000000000000", "kind": None,
         "localEndpoint": {"ipv6": "2001:DB8:0:0:0:0:0:1", "port": 8080}, "remoteEndpoint": {}, "shared": True},
    ]).status_code == 202
    first, second = server.trace("5af7183fb1d4cf5f")
    assert first == {"traceId": "5af7183fb1d4cf5f", "id": "0000000000000abc", "kind": "CLIENT", "name": "get /api",
                     "localEndpoint": {"serviceName": "campus-portal"}, "remoteEndpoint": {"ipv4": "10.0.0.1"},
                     "annotations": [{"timestamp": 1, "value": "z"}, {"timestamp": 2, "value": "b"}],
                     "tags": {"a": "2", "z": "1"}}
    assert second == {"traceId": "5af7183fb1d4cf5f", "id": "0000000000000def",
                      "localEndpoint": {"ipv6": "2001:db8::1", "port": 8080}, "shared": True}
    raw = query(server, "trace/5af7183fb1d4cf5f").content
    assert raw.startswith(b'[{"traceId":"5af7183fb1d4cf5f","id":"0000000000000abc","kind":"CLIENT",')  # Zipkin's order


def test_a_span_reported_twice_is_stored_once(server):
    twice = span(3, name="retry")
    assert post(server, [twice]).status_code == post(server, [twice]).status_code == 202
    assert server.span_count == 1 and len(server.trace(trace_id(3))) == 1


def test_the_python_surface_refuses_what_the_api_refuses(server):
    with pytest.raises(SpanError, match="should be lower-hex"):
        server.accept([{"traceId": "XYZ", "id": "1"}])
    server.accept([GOOD])
    assert server.trace("5af7183fb1d4cf5f")[0]["name"] == "get /api"


def test_wrong_methods_and_paths(server):
    assert query(server, "dependencies", endTs=1).status_code == 404  # not served by the stand-in
    assert post(server, [GOOD]).status_code == 202
    assert requests.delete(server.spans_url, timeout=5).status_code == 405
    assert requests.get(f"{server.url}/zipkin/", timeout=5).status_code == 404
