from django.urls import path

from referrals.consumers import ReferralsConsumer

websocket_urlpatterns: list = [
    path("ws/referrals/", ReferralsConsumer.as_asgi()),
]
