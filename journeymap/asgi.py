"""ASGI entry point: Django for HTTP, Channels for the live-editing WebSocket."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journeymap.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from journeymap.outages import SocketOutageGuard  # noqa: E402
from journeymap.routing import websocket_urlpatterns  # noqa: E402
from journeymap.ws_auth import TokenAuthMiddlewareStack  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            SocketOutageGuard(TokenAuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)
