from django.urls import path

from floor import consumers

websocket_urlpatterns: list = [
    path("ws/wallboard/", consumers.WallboardConsumer.as_asgi()),
    path("ws/agent/", consumers.AgentConsumer.as_asgi()),
]
