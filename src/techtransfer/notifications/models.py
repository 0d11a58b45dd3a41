"""In-app notifications (站内通知): a short title and a link in a user's inbox.

Any domain app may send them through ``services.notify``; the inbox pages live where users already find them
(``/matching/notifications/`` and ``/api/v1/matching/notifications``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One notice for one user. The table keeps its first name (``matching_notification``): the model moved here
    from the matching app without moving its rows."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("title"), max_length=200)
    url = models.CharField(_("link"), max_length=300, blank=True)
    read = models.BooleanField(_("read"), default=False, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "matching_notification"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title
