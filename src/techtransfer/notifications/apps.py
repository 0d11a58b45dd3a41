from django.utils.translation import gettext_lazy as _

from techtransfer.core.apps import PlatformAppConfig


class NotificationsConfig(PlatformAppConfig):
    name = "techtransfer.notifications"
    verbose_name = _("Notifications")
