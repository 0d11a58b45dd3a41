from django.utils.translation import gettext_lazy as _

from techtransfer.core.apps import PlatformAppConfig


class TaxonomyConfig(PlatformAppConfig):
    name = "techtransfer.taxonomy"
    verbose_name = _("Classifications")
