from django.utils.translation import gettext_lazy as _

from techtransfer.core.apps import PlatformAppConfig


class AccountsConfig(PlatformAppConfig):
    name = "techtransfer.accounts"
    verbose_name = _("Accounts and roles")
    api_prefix = "/accounts"
    url_prefix = "accounts/"
