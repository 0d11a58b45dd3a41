from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "techtransfer.matching"
    verbose_name = _("Supply–demand matching")
    api_prefix = "/matching"
    url_prefix = "matching/"

    def ready(self):
        # Inside ready(): the receivers import models of this and other apps, not loaded when this module is.
        from . import receivers

        receivers.connect()
