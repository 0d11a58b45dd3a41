from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path
from django.views.generic import RedirectView

from techtransfer.config import env
from techtransfer.config.api import api
from techtransfer.core import plugins
from techtransfer.core import views as core_views

urlpatterns = [
    path("", include("techtransfer.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    path("api/openapi.json", RedirectView.as_view(url="/api/v1/openapi.json", permanent=False)),
]
# Each app with pages sets ``url_prefix`` on its AppConfig and owns its ``urls.py``.
urlpatterns += [path(prefix, include(module)) for prefix, module in plugins.url_includes()]
# Documents at fixed root addresses (RFC 8615) declare ``well_known`` on their AppConfig.
urlpatterns += [path(f".well-known/{name}", view) for name, view in plugins.well_known()]
# The page benchmark's hello-world floor (benchmarks/pages.py sets the variable); never set in production.
if env.flag("TECHTRANSFER_BENCHMARK_FLOOR"):
    urlpatterns.append(path("_bench/floor", lambda request: HttpResponse("Hello, world")))

handler404 = core_views.not_found
handler500 = core_views.server_error
handler403 = core_views.forbidden
handler400 = core_views.bad_request
# The back office titles are set (translated) in backoffice/admin.py.
