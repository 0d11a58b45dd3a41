from django.utils.translation import gettext_lazy as _

from techtransfer.core.apps import PlatformAppConfig


class PeopleConfig(PlatformAppConfig):
    name = "techtransfer.people"
    verbose_name = _("People")
    api_prefix = "/people"
    url_prefix = "people/"
    headline_figures = "figures.headline_figures"
    search_documents = "search"
