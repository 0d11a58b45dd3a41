from django.utils.translation import gettext_lazy as _

from techtransfer.core.apps import PlatformAppConfig


class BackofficeConfig(PlatformAppConfig):
    """The back office (Django admin): the base classes of every domain admin and the kernel tables' pages."""

    name = "techtransfer.backoffice"
    verbose_name = _("Back office")
