from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "techtransfer.people"
    verbose_name = _("People")
    api_prefix = "/people"
    url_prefix = "people/"
