from django.urls import path

from web.views import accounts, dashboard, finance, programme, public, referential

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
    path("campagnes/", programme.campaign_list, name="campaign_list"),
    path("campagnes/annee-suivante/", programme.campaign_create_next, name="campaign_create_next"),
    path("campagnes/<int:year>/", programme.campaign_detail, name="campaign_detail"),
    path("campagnes/<int:year>/modifier/", programme.campaign_edit, name="campaign_edit"),
    path("domaines/", programme.domain_list, name="domain_list"),
    path("domaines/<slug:code>/modifier/", programme.domain_edit, name="domain_edit"),
    path("invitations/", accounts.invitation_list, name="invitation_list"),
    path("invitations/nouvelle/", accounts.invitation_create, name="invitation_create"),
    path("invitations/<int:pk>/annuler/", accounts.invitation_revoke, name="invitation_revoke"),
    path("budget/", finance.budget, name="budget"),
    path("budget/credits/<int:year>/", finance.open_credits, name="open_credits"),
    path("budget/enveloppes/<int:pk>/", finance.envelope_detail, name="envelope_detail"),
    path("budget/enveloppes/<int:pk>/deleguer/", finance.envelope_delegate, name="envelope_delegate"),
    path("budget/ecritures/", finance.ledger, name="ledger"),
    path("budget/ecritures/export.csv", finance.ledger_csv, name="ledger_csv"),
    path("budget/ecritures/export.xlsx", finance.ledger_xlsx, name="ledger_xlsx"),
    path("budget/ecritures/<int:pk>/annuler/", finance.entry_reverse, name="entry_reverse"),
]
