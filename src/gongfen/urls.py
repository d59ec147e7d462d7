from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from gongfen.api.v1 import api as api_v1
from gongfen.api.v1 import not_found as api_not_found
from gongfen.web import views as web

urlpatterns = [
    path("", web.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/password/", web.password_change, name="password_change"),
    path("display/", web.display_set, name="display_set"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("ledger/", include(("gongfen.ledger.urls", "ledger"))),
    path("rankings/", include(("gongfen.rankings.urls", "rankings"))),
    path("schemes/", include(("gongfen.schemes.urls", "schemes"))),
    path("people/", include(("gongfen.org.urls", "org"))),
    path("evaluations/", include(("gongfen.evaluations.urls", "evaluations"))),
    path("outputs/", include(("gongfen.outputs.urls", "outputs"))),
    path("publication/", include(("gongfen.publication.urls", "publication"))),
    path("notices/", include(("gongfen.notices.urls", "notices"))),
    path("results/", include(("gongfen.results.urls", "results"))),
    path("grades/", include(("gongfen.grades.urls", "grades"))),
    path("trust/", include(("gongfen.trust.urls", "trust"))),
    path("audit/", include(("gongfen.audit.urls", "audit"))),
    path("webhooks/", include(("gongfen.webhooks.urls", "webhooks"))),
    path("imports/", include(("gongfen.interchange.urls", "interchange"))),
    path("analytics/", include(("gongfen.analytics.urls", "analytics"))),
    path("intake/", include(("gongfen.intake.urls", "intake"))),
    path("reminders/", include(("gongfen.reminders.urls", "reminders"))),
    path("api/v1/", api_v1.urls),
    path("api/v1/<path:rest>", api_not_found),  # unknown API paths answer structured JSON too
    path("api/tokens/", include(("gongfen.api.urls", "api"))),
    path("admin/", admin.site.urls),
]
