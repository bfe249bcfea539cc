"""Offset pagination exactly as GitLab answers it: page/per_page in, X-* and Link headers out."""

import math
from urllib.parse import urlencode

from devstack.gitlab import errors

DEFAULT_PER_PAGE, MAX_PER_PAGE = 20, 100
COUNT_LIMIT = 10_000  # above this GitLab stops counting: no X-Total, X-Total-Pages or rel="last"


def _positive(query: dict, name: str, default: int) -> int:
    raw = query.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise errors.invalid_param(f"{name} is invalid") from None
    return value if value > 0 else default


def paginate(items: list, query: dict, page_url: str, served_pages: int | None = None) -> tuple[list, dict]:
    """One page of `items` and its headers. `page_url` is the request URL without query; `query` its parameters.

    served_pages (a fault switch) makes the server stop after that page while still claiming the full total.
    """
    per_page = min(_positive(query, "per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE)
    page = _positive(query, "page", 1)
    total = len(items)
    total_pages = max(1, math.ceil(total / per_page))
    last_served = total_pages if served_pages is None else min(total_pages, served_pages)
    chunk = items[(page - 1) * per_page: page * per_page] if page <= last_served else []
    next_page = page + 1 if page < last_served else None
    prev_page = page - 1 if page > 1 else None

    def link(number: int) -> str:
        return f"{page_url}?{urlencode({**query, 'page': number, 'per_page': per_page}, doseq=True)}"

    links = []
    if prev_page:
        links.append(f'<{link(prev_page)}>; rel="prev"')
    if next_page:
        links.append(f'<{link(next_page)}>; rel="next"')
    links.append(f'<{link(1)}>; rel="first"')
    headers = {"X-Page": str(page), "X-Per-Page": str(per_page), "X-Next-Page": str(next_page or ""),
               "X-Prev-Page": str(prev_page or "")}
    if total <= COUNT_LIMIT:
        links.append(f'<{link(total_pages)}>; rel="last"')
        headers.update({"X-Total": str(total), "X-Total-Pages": str(total_pages)})
    headers["Link"] = ", ".join(links)
    return chunk, headers
