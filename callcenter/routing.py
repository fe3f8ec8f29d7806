"""Every websocket route, gathered from the apps that own a socket."""

from inquiries.routing import websocket_urlpatterns as inquiries_ws
from referrals.routing import websocket_urlpatterns as referrals_ws

websocket_urlpatterns = [*inquiries_ws, *referrals_ws]
