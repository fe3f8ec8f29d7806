"""Every websocket route, gathered from the apps that own a socket."""

from floor.routing import websocket_urlpatterns as floor_ws
from referrals.routing import websocket_urlpatterns as referrals_ws

websocket_urlpatterns = [*floor_ws, *referrals_ws]
