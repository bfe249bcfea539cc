"""Panels other apps add to the namespace page and the admins' overview, registered in their `AppConfig.ready()`
(the core never imports them). A namespace panel gets the request, the namespace, the viewer's role there and the
live pods (None: the cluster could not be asked); each returns the context for its template (with `template`), or
None to show nothing."""

from collections.abc import Callable

from django.http import HttpRequest

from tenants.models import ManagedNamespace

Panel = Callable[[HttpRequest, ManagedNamespace, str, list[dict] | None], dict | None]
_PANELS: list[Panel] = []


def register(panel: Panel) -> None:
    if panel not in _PANELS:
        _PANELS.append(panel)


def panels_for(request: HttpRequest, namespace: ManagedNamespace, role: str, pods: list[dict] | None) -> list[dict]:
    return [shown for panel in _PANELS if (shown := panel(request, namespace, role, pods)) is not None]


DeskPanel = Callable[[HttpRequest], dict | None]
_DESK_PANELS: list[DeskPanel] = []


def register_desk(panel: DeskPanel) -> None:
    """A panel for the admins' cluster overview."""
    if panel not in _DESK_PANELS:
        _DESK_PANELS.append(panel)


def desk_panels_for(request: HttpRequest) -> list[dict]:
    return [shown for panel in _DESK_PANELS if (shown := panel(request)) is not None]
