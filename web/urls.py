from django.urls import path

from web.views import accounts, dashboard, public, referential

app_name = "web"

urlpatterns = [
    path("", public.home, name="home"),
    path("tableau-de-bord/", dashboard.dashboard, name="dashboard"),
    path("collectivites/", referential.authority_search, name="authority_search"),
    path("collectivites/choisir/", referential.authority_picker, name="authority_picker"),
    path("collectivites/<int:pk>/", referential.authority_detail, name="authority_detail"),
    path("departements/", referential.department_list, name="department_list"),
    path("departements/<str:code>/", referential.department_detail, name="department_detail"),
    path("administration/utilisateurs/", accounts.user_list, name="user_list"),
    path("administration/utilisateurs/<int:pk>/", accounts.user_detail, name="user_detail"),
    path("administration/utilisateurs/<int:pk>/activation/", accounts.user_set_active, name="user_set_active"),
    path("administration/roles/<int:pk>/retirer/", accounts.membership_remove, name="membership_remove"),
    path("invitations/", accounts.invitation_list, name="invitation_list"),
    path("invitations/nouvelle/", accounts.invitation_create, name="invitation_create"),
    path("invitations/<int:pk>/annuler/", accounts.invitation_revoke, name="invitation_revoke"),
]
