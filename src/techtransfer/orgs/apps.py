from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "techtransfer.orgs"
    verbose_name = _("Organizations")
    api_prefix = "/organizations"
    url_prefix = "organizations/"
