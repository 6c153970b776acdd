from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from accounts.enums import Role

STATE_ROLES = (Role.INSTRUCTOR, Role.PREFECT, Role.DIAIR, Role.MINISTRY, Role.ADMIN)


def nav_items_for(user: Any) -> list[tuple[str, str]]:
    """The main navigation: what this user's roles give access to, in a stable order."""
    if not user.is_authenticated:
        return [
            ("Le programme", reverse("web:home")),
            ("Territoires", reverse("web:territories")),
            ("Actions financées", reverse("web:catalogue")),
            ("Appels à projets", reverse("web:call_list")),
            ("Éligibilité", reverse("web:eligibility")),
            ("Vos contacts", reverse("web:contacts")),
            ("Données ouvertes", reverse("web:open_data")),
        ]
    items = [("Tableau de bord", reverse("web:dashboard"))]
    if user.has_role(Role.AGENT, *STATE_ROLES):
        items.append(("Collectivités", reverse("web:authority_search")))
    if user.has_role(Role.AGENT, *STATE_ROLES):
        items.append(("Projets (PTAI)", reverse("web:project_list")))
        items.append(("Contrats (CTAI)", reverse("web:contract_list")))
    if user.has_role(Role.AGENT):
        items.append(("Appels à projets", reverse("web:call_manage")))
    elif user.has_role(Role.OPERATOR):
        items.append(("Appels à projets", reverse("web:call_list")))
        items.append(("Mes candidatures", reverse("web:call_my_applications")))
    if user.has_role(*STATE_ROLES) or user.has_role(Role.AGENT):
        items.append(("Départements", reverse("web:department_list")))
    if user.has_role(*STATE_ROLES):
        items.append(("Budget", reverse("web:budget")))
    if user.has_role(Role.AGENT, *STATE_ROLES):
        items.append(("Pilotage", reverse("web:steering_dashboard")))
    if user.has_role(Role.AGENT, Role.OPERATOR, *STATE_ROLES):
        items.append(("Bilans", reverse("web:report_list")))
    if user.has_role(Role.ADMIN):
        items.append(("Utilisateurs", reverse("web:user_list")))
    if user.has_role(Role.ADMIN, Role.DIAIR, Role.MINISTRY):
        items.append(("Campagnes", reverse("web:campaign_list")))
    if user.has_role(Role.ADMIN, Role.DIAIR):
        items.append(("Imports", reverse("web:contract_import")))
    if user.has_role(Role.ADMIN, Role.PREFECT):
        items.append(("Invitations", reverse("web:invitation_list")))
    if user.has_role(Role.ADMIN, Role.PREFECT, Role.INSTRUCTOR):
        items.append(("Demandes de compte", reverse("web:account_request_list")))
        items.append(("Référents locaux", reverse("web:referent_list")))
    if user.has_role(Role.PREFECT):
        items.append(("Délégations de signature", reverse("web:signing_delegations")))
    return items


def navigation(request: HttpRequest) -> dict[str, Any]:
    path = request.path
    links = nav_items_for(request.user)
    # The current page is the most precise link it falls under (« Mes candidatures », not « Appels à
    # projets » too); a link to a section of a page (#contacts) is never "the current page".
    matching = [url for _, url in links if "#" not in url and (path == url or (url != "/" and path.startswith(url)))]
    current = max(matching, key=len, default=None)
    return {"nav_items": [{"label": label, "url": url, "current": url == current} for label, url in links]}
