from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from identity.views import ProConnectCallback, ProConnectStart
from web.views import identity
from web.views.accounts import invitation_accept
from web.views.health import healthz, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("connexion/", identity.SiteLoginView.as_view(), name="login"),
    path("connexion/second-facteur/", identity.login_second_factor, name="login_second_factor"),
    path("connexion/application/", identity.login_enrol, name="login_enrol"),
    path("connexion/confirmer/", identity.reauthenticate, name="reauthenticate"),
    path("compte/codes-de-secours/", identity.recovery_codes, name="recovery_codes"),
    path("compte/mot-de-passe/", identity.PasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe-oublie/", identity.PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe-oublie/envoye/", identity.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe-oublie/<uidb64>/<token>/",
        identity.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("mot-de-passe-oublie/termine/", identity.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("proconnect/connexion/", ProConnectStart.as_view(), name="oidc_authentication_init"),
    path("proconnect/retour/", ProConnectCallback.as_view(), name="oidc_authentication_callback"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("invitation/<str:token>/", invitation_accept, name="invitation_accept"),
    path("django-admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("", include("web.urls")),
]
