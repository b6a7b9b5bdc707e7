from django.urls import URLPattern, path

from live.consumers import MapConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/maps/<str:map_id>/", MapConsumer.as_asgi()),
]
