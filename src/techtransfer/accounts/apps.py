from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "techtransfer.accounts"
    verbose_name = _("Accounts and roles")
    api_prefix = "/accounts"
    url_prefix = "accounts/"
