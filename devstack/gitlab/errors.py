"""GitLab's error answers: the status code and the exact JSON body the REST API sends."""


class GitLabError(Exception):
    def __init__(self, status: int, body: dict):
        super().__init__(body)
        self.status = status
        self.body = body


def not_found(what: str) -> GitLabError:
    """`404 Group Not Found`, `404 Project Not Found`, `404 User Not Found` ..."""
    return GitLabError(404, {"message": f"404 {what} Not Found"})


def record_not_found() -> GitLabError:
    """What Grape answers for ActiveRecord::RecordNotFound, e.g. a member that does not exist."""
    return GitLabError(404, {"message": "404 Not found"})


def route_not_found() -> GitLabError:
    return GitLabError(404, {"error": "404 Not Found"})


def invalid_param(error: str) -> GitLabError:
    """Grape's parameter validation: `{"error": "access_level does not have a valid value"}`."""
    return GitLabError(400, {"error": error})


def bad_request(message) -> GitLabError:
    """`render_api_error!` / `render_validation_error!`: message is a string or a field -> errors dict."""
    return GitLabError(400, {"message": message})


def conflict(message: str) -> GitLabError:
    return GitLabError(409, {"message": message})


def unauthorized() -> GitLabError:
    return GitLabError(401, {"message": "401 Unauthorized"})


def forbidden() -> GitLabError:
    return GitLabError(403, {"message": "403 Forbidden"})
