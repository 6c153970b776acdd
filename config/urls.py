from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from web.forms.accounts import LoginForm
from web.views.accounts import invitation_accept
from web.views.health import healthz, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path(
        "connexion/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("invitation/<str:token>/", invitation_accept, name="invitation_accept"),
    path("django-admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("", include("web.urls")),
]
