"""The OpenAPI 3.1 description of `/api/v1/`, served at `/api/v1/openapi.json` and checked against real answers."""

NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def json_content(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "503": json_content(ref("Error"), "a service campus needs cannot be asked right now; try again"),
    "400": json_content(ref("Error"), "invalid input; `errors` names each field"),
    "401": json_content(ref("Error"), "no session and no valid bearer token"),
    "403": json_content(ref("Error"), "not allowed (role, CSRF, or a token minting tokens)"),
    "404": json_content(ref("Error"), "no such object of yours"),
}


def responses(*codes: str, **ok: dict) -> dict:
    return {**{code: response for code, response in ok.items()}, **{code: ERRORS[code] for code in codes}}


def path_parameter(name: str, kind: str = "integer") -> dict:
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
                      "gitlab_path": NULLABLE_STRING, "expires_on": NULLABLE_DATE, "usage": ref("Usage"),
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
    return {"type": "object", "required": [key], "properties": {key: {"type": "array", "items": ref(item)}}}


PATHS = {
    "/api/v1/namespaces": {"get": {
        "summary": "The namespaces you can use, with your role and their usage",
        "responses": responses("401", **{"200": json_content(_list_of("namespaces", "Namespace"),
                                                             "your namespaces")})}},
    "/api/v1/namespaces/{name}": {"get": {
        "summary": "One namespace with its members", "parameters": [path_parameter("name", "string")],
        "responses": responses("401", "404", **{"200": json_content(ref("Namespace"), "the namespace")})}},
    "/api/v1/requests": {
        "get": {"summary": "Your requests (admins: `all=1` for everyone's)", "parameters": [
            {"name": "status", "in": "query", "schema": {"enum": ["pending", "approved", "denied"]}},
            {"name": "all", "in": "query", "schema": {"enum": ["1"]}}],
                "responses": responses("401", **{"200": json_content(_list_of("requests", "Request"), "requests")})},
        "post": {"summary": "Request a project namespace or more quota",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": ref("NewRequest")}}},
                 "responses": responses("400", "401", "403", **{"201": json_content(ref("Request"), "submitted")})}},
    "/api/v1/requests/{id}": {"get": {
        "summary": "One of your requests", "parameters": [path_parameter("id")],
        "responses": responses("401", "404", **{"200": json_content(ref("Request"), "the request")})}},
    "/api/v1/requests/{id}/decision": {"post": {
        "summary": "Approve or deny (admins)", "parameters": [path_parameter("id")],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["approve"],
            "properties": {"approve": {"type": "boolean"}, "comment": {"type": "string"}}}}}},
        "responses": responses("400", "401", "403", "404", **{"200": json_content(ref("Request"), "decided")})}},
    "/api/v1/tokens": {
        "get": {"summary": "Your kubectl tokens (never their secrets)",
                "responses": responses("401", **{"200": json_content(_list_of("tokens", "Token"), "tokens")})},
        "post": {"summary": "Mint a token (portal session only)",
                 "requestBody": {"content": {"application/json": {"schema": {
                     "type": "object", "properties": {"label": {"type": "string"}}}}}},
                 "responses": responses("400", "401", "403", **{"201": json_content(ref("Token"), "the new token")})}},
    "/api/v1/tokens/{id}": {"delete": {
        "summary": "Revoke one of your tokens", "parameters": [path_parameter("id")],
        "responses": responses("401", "403", "404", **{"204": {"description": "revoked"}})}},
}


_REGISTERED_PATHS: dict[str, dict] = {}
_REGISTERED_SCHEMAS: dict[str, dict] = {}


def register(paths: dict[str, dict], schemas: dict[str, dict] | None = None) -> None:
    """An app's part of the API (its `AppConfig.ready()` registers it; the core never imports it)."""
    _REGISTERED_PATHS.update(paths)
    _REGISTERED_SCHEMAS.update(schemas or {})


def schema() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "campus API", "version": "1",
                 "description": "Errors are JSON objects with `error`; a method a path does not offer is 405 "
                                "with an `Allow` header."},
        "security": [{"session": []}, {"bearer": []}],
        "paths": {**PATHS, **_REGISTERED_PATHS},
        "components": {"schemas": {**SCHEMAS, **_REGISTERED_SCHEMAS}, "securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": "sessionid",
                        "description": "the portal session; unsafe methods also need X-CSRFToken"},
            "bearer": {"type": "http", "scheme": "bearer", "description": "a campus token from a kubeconfig"}}},
    }
