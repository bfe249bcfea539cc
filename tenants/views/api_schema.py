"""The OpenAPI 3.1 description of `/api/v1/`, served at `/api/v1/openapi.json` and checked against real answers."""

NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": _json(_ref("Error"), "invalid input; `errors` names each field"),
    "401": _json(_ref("Error"), "no session and no valid bearer token"),
    "403": _json(_ref("Error"), "not allowed (role, CSRF, or a token minting tokens)"),
    "404": _json(_ref("Error"), "no such object of yours"),
}


def _responses(*codes: str, **ok: dict) -> dict:
    return {**{code: response for code, response in ok.items()}, **{code: ERRORS[code] for code in codes}}


def _path_id(name: str, kind: str = "integer") -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": kind}}


SCHEMAS = {
    "Error": {"type": "object", "required": ["error"], "properties": {
        "error": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}},
    "Usage": {"type": ["object", "null"], "required": ["hard", "used", "pods_running", "collected_at"], "properties": {
        "hard": {"type": "object", "additionalProperties": {"type": "string"}},
        "used": {"type": "object", "additionalProperties": {"type": "string"}},
        "pods_running": {"type": "integer"}, "collected_at": {"type": "string", "format": "date-time"}}},
    "Namespace": {"type": "object", "additionalProperties": False,
                  "required": ["name", "kind", "role", "tier", "stage", "gitlab_path", "expires_on", "usage"],
                  "properties": {
                      "name": {"type": "string"},
                      "kind": {"enum": ["personal", "group", "project", "requested"]},
                      "role": {"enum": ["view", "edit", "admin", ""]}, "tier": {"type": "string"},
                      "stage": {"enum": ["active", "warned", "suspended", "archived"]},
                      "gitlab_path": NULLABLE_STRING, "expires_on": NULLABLE_DATE, "usage": _ref("Usage"),
                      "members": {"type": "array", "items": {
                          "type": "object", "required": ["username", "role"], "additionalProperties": False,
                          "properties": {"username": {"type": "string"}, "role": {"type": "string"}}}}}},
    "Request": {"type": "object", "additionalProperties": False, "required": [
        "id", "kind", "status", "requester", "created_at", "name", "purpose", "course", "end_date", "namespace",
        "tier", "quota_values", "justification", "auto_approved", "decision_comment", "decided_at"], "properties": {
        "id": {"type": "integer"}, "kind": {"enum": ["namespace", "quota"]},
        "status": {"enum": ["pending", "approved", "denied"]}, "requester": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"}, "name": NULLABLE_STRING,
        "purpose": NULLABLE_STRING, "course": NULLABLE_STRING, "end_date": NULLABLE_DATE, "namespace": NULLABLE_STRING,
        "tier": NULLABLE_STRING, "quota_values": {"type": "object", "additionalProperties": {"type": "string"}},
        "justification": NULLABLE_STRING, "auto_approved": {"type": "boolean"}, "decision_comment": NULLABLE_STRING,
        "decided_at": {"type": ["string", "null"], "format": "date-time"}}},
    "NewRequest": {"oneOf": [
        {"type": "object", "required": ["kind", "name", "purpose", "end_date"], "properties": {
            "kind": {"const": "namespace"}, "name": {"type": "string"}, "purpose": {"type": "string"},
            "course": {"type": "string"}, "end_date": {"type": "string", "format": "date"}}},
        {"type": "object", "required": ["kind", "namespace", "justification"], "properties": {
            "kind": {"const": "quota"}, "namespace": {"type": "string"}, "tier": {"type": "string"},
            "quota_values": {"type": "object", "additionalProperties": {"type": "string"}},
            "justification": {"type": "string"}}}]},
    "Token": {"type": "object", "required": ["id", "prefix", "label", "created_at", "expires_at", "revoked",
                                             "last_used_at"], "properties": {
        "id": {"type": "integer"}, "prefix": {"type": "string"}, "label": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "expires_at": {"type": "string", "format": "date-time"},
        "revoked": {"type": "boolean"}, "last_used_at": {"type": ["string", "null"], "format": "date-time"},
        "token": {"type": "string", "description": "the secret, only in the answer that minted it"}}},
}


def _list_of(key: str, item: str) -> dict:
    return {"type": "object", "required": [key], "properties": {key: {"type": "array", "items": _ref(item)}}}


PATHS = {
    "/api/v1/namespaces": {"get": {
        "summary": "The namespaces you can use, with your role and their usage",
        "responses": _responses("401", **{"200": _json(_list_of("namespaces", "Namespace"), "your namespaces")})}},
    "/api/v1/namespaces/{name}": {"get": {
        "summary": "One namespace with its members", "parameters": [_path_id("name", "string")],
        "responses": _responses("401", "404", **{"200": _json(_ref("Namespace"), "the namespace")})}},
    "/api/v1/requests": {
        "get": {"summary": "Your requests (admins: `all=1` for everyone's)", "parameters": [
            {"name": "status", "in": "query", "schema": {"enum": ["pending", "approved", "denied"]}},
            {"name": "all", "in": "query", "schema": {"enum": ["1"]}}],
                "responses": _responses("401", **{"200": _json(_list_of("requests", "Request"), "requests")})},
        "post": {"summary": "Request a project namespace or more quota",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("NewRequest")}}},
                 "responses": _responses("400", "401", "403", **{"201": _json(_ref("Request"), "submitted")})}},
    "/api/v1/requests/{id}": {"get": {
        "summary": "One of your requests", "parameters": [_path_id("id")],
        "responses": _responses("401", "404", **{"200": _json(_ref("Request"), "the request")})}},
    "/api/v1/requests/{id}/decision": {"post": {
        "summary": "Approve or deny (admins)", "parameters": [_path_id("id")],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["approve"],
            "properties": {"approve": {"type": "boolean"}, "comment": {"type": "string"}}}}}},
        "responses": _responses("400", "401", "403", "404", **{"200": _json(_ref("Request"), "decided")})}},
    "/api/v1/tokens": {
        "get": {"summary": "Your kubectl tokens (never their secrets)",
                "responses": _responses("401", **{"200": _json(_list_of("tokens", "Token"), "tokens")})},
        "post": {"summary": "Mint a token (portal session only)",
                 "requestBody": {"content": {"application/json": {"schema": {
                     "type": "object", "properties": {"label": {"type": "string"}}}}}},
                 "responses": _responses("400", "401", "403", **{"201": _json(_ref("Token"), "the new token")})}},
    "/api/v1/tokens/{id}": {"delete": {
        "summary": "Revoke one of your tokens", "parameters": [_path_id("id")],
        "responses": _responses("401", "403", "404", **{"204": {"description": "revoked"}})}},
}


def schema() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "campus API", "version": "1",
                 "description": "Errors are JSON objects with `error`; a method a path does not offer is 405 "
                                "with an `Allow` header."},
        "security": [{"session": []}, {"bearer": []}],
        "paths": PATHS,
        "components": {"schemas": SCHEMAS, "securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": "sessionid",
                        "description": "the portal session; unsafe methods also need X-CSRFToken"},
            "bearer": {"type": "http", "scheme": "bearer", "description": "a campus token from a kubeconfig"}}},
    }
