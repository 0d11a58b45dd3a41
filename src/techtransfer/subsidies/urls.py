"""The subsidies pages. (The claim pages' routes are in ``urls_claims``; the policy pages join here.)"""

from techtransfer.subsidies.urls_claims import claim_patterns

app_name = "subsidies"
urlpatterns = [*claim_patterns]
