"""What happens elsewhere when a session or an account ends: its open sockets close."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from callcenter import services


@receiver(user_logged_out, dispatch_uid="dasan-sockets-signed-out")
def end_sockets_of_session(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        services.sockets_end_for_session(session_key=key)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="dasan-sockets-user-deactivated")
def end_sockets_of_inactive_user(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if not created and not instance.is_active:
        services.sockets_end_for_user(user_id=instance.pk)


@receiver(post_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="dasan-sockets-user-deleted")
def end_sockets_of_deleted_user(sender: Any, instance: Any, **kwargs: Any) -> None:
    services.sockets_end_for_user(user_id=instance.pk)
