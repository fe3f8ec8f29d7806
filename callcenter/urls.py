from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog, set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from callcenter import permissions, views
from callcenter.lockout import ConsoleAdminAuthenticationForm, ConsoleAuthenticationForm
from floor.models import MOVED_FROM_INQUIRIES

admin.site.login_form = ConsoleAdminAuthenticationForm
admin.site.site_header = _("Dasan Console administration")
admin.site.site_title = _("Dasan Console administration")

handler400 = "callcenter.views.handler400"
handler403 = "callcenter.views.handler403"
handler404 = "callcenter.views.handler404"
handler500 = "callcenter.views.handler500"

urlpatterns = [
    path("", views.home, name="home"),
    path("no-role/", views.no_role, name="no_role"),
    path("phone-system/", views.phone_system, name="phone_system"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=ConsoleAuthenticationForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # the floor's models moved out of inquiries (floor/migrations/0001): old admin links still lead there
    re_path(
        r"^admin/inquiries/(?P<model>{})/(?P<rest>.*)$".format("|".join(MOVED_FROM_INQUIRIES)),
        RedirectView.as_view(url="/admin/floor/%(model)s/%(rest)s", permanent=True, query_string=True),
    ),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # the split view serves its start-up script as a file: no inline script (CSP)
    path(
        "api/docs/",
        permissions.page_requires(permissions.can_use_console)(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api-docs",
    ),
    path("api/", include("floor.api.urls")),
    path("api/", include("inquiries.api.urls")),
    path("api/", include("knowledgebase.api.urls")),
    path("api/", include("referrals.api.urls")),
    path("api/", include("safety.api.urls")),
    path("", include("floor.urls")),
    path("", include("inquiries.urls")),
    path("", include("knowledgebase.urls")),
    path("", include("referrals.urls")),
    path("", include("safety.urls")),
    path("", include("reports.urls")),
]
