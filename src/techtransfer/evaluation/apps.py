from django.utils.translation import gettext_lazy as _

from techtransfer.core.apps import PlatformAppConfig


class EvaluationConfig(PlatformAppConfig):
    name = "techtransfer.evaluation"
    verbose_name = _("Evaluation of institutions and plan supervision")
    api_prefix = "/evaluation"
    url_prefix = "evaluation/"
    demo_loader = "demo.load"
