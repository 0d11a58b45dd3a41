from django.utils.translation import gettext_lazy as _

from techtransfer.core.apps import PlatformAppConfig


class OrgsConfig(PlatformAppConfig):
    name = "techtransfer.orgs"
    verbose_name = _("Organizations")
    api_prefix = "/organizations"
    url_prefix = "organizations/"
    headline_figures = "figures.headline_figures"
    search_documents = "search"
