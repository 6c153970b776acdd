"""The permission matrix: every page and API endpoint, every role, own and other scope — ONE table.

`tests/demo/test_permission_matrix.py` walks the URL map (Django's resolver) and the OpenAPI schema,
and fails for any page or endpoint that has no row here, or whose answers differ from its row.

A row is one line: the key, the objects the address is about (a name of `FINDERS`, or None for an
address without parameters), and the status codes expected for each role, in the order of
`ROLES` (anonymous visitor, an account without any role, the agent of Grenoble-Alpes-Métropole,
the opérateur of Isère, the instructeur, the préfet of Isère, DIAIR, ministère, administrateur).
"200/404" reads: 200 on an object of the user's own scope (Isère, Grenoble, the opérateur's own),
404 on one of another scope (Rhône, Lyon). One code: the same on both. 302 is a redirect (the
log-in page for a visitor).

- Web pages are keyed by URL name ("web:project_detail") and asked with GET. A page that only takes
  POST (its GET answers 405 for somebody) also declares its POST answers, as a third element;
  POSTs are sent empty and rolled back.
- A finder returns a REAL object of each scope: the demo's, or one it makes through the services
  when the demo has none (a draft call, Lyon's application, Grenoble's amendment…). It is asked once
  per scope and test (`_once`): every request is rolled back, so what it found stays.
- API endpoints are keyed "METHOD /path/{param}/" as the OpenAPI schema writes them. Writes are sent
  with an empty JSON body and rolled back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from typing import Any

from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.http import HttpResponse
from django.test import Client

ROLES = ("anonymous", "norole", "agent", "operator", "instructor", "prefect", "diair", "ministry", "admin")

DOMAIN = "demo.territoires-integration.fr"
# The demo account playing each role (own scope: Isère, Grenoble-Alpes-Métropole, the demo opérateur).
ACCOUNTS = {
    "agent": f"agent.grenoble@{DOMAIN}",
    "operator": f"operateur.isere@{DOMAIN}",
    "instructor": f"instructeur.isere@{DOMAIN}",
    "prefect": f"prefet.isere@{DOMAIN}",
    "diair": f"diair@{DOMAIN}",
    "ministry": f"ministere@{DOMAIN}",
    "admin": f"admin@{DOMAIN}",
}

Kwargs = dict[str, Any]
# A finder gives the URL's parameters for the own scope (True) or the other scope (False).
Finder = Callable[[bool], Kwargs]


def role_clients() -> dict[str, Client]:
    """A test browser per role of `ROLES`, logged in (an account without any role made for it)."""
    from accounts.models import User

    clients = {"anonymous": Client(), "norole": Client()}
    clients["norole"].force_login(User.objects.create_user("sans.role@example.fr", None))
    for role, email in ACCOUNTS.items():
        clients[role] = Client()
        clients[role].force_login(User.objects.get(email=email))
    return clients


@contextmanager
def rolled_back(client: Client) -> Iterator[None]:
    """Whatever the requests inside write is rolled back, and the client keeps its cookies (a log-out too)."""
    cookies = client.cookies
    client.cookies = SimpleCookie(cookies)
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies


def close(response: HttpResponse) -> None:
    """A file served: its file closed, without the end-of-request signal closing the database
    connection (as Django's test client does)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def ask(client: Client, method: str, address: str) -> int:
    """The status of one request, whatever it wrote rolled back."""
    with rolled_back(client):
        if method == "GET":
            response = client.get(address)
        elif address.startswith("/api/"):  # the API reads JSON
            response = client.generic(method, address, "{}", content_type="application/json")
        else:  # a form, sent empty
            response = client.post(address, {})
    close(response)
    return response.status_code


def _finders() -> dict[str, tuple[bool, Finder]]:
    """Name → (scoped, finder). Imported lazily: the models need Django set up."""
    from datetime import timedelta

    from django.contrib.contenttypes.models import ContentType
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from accounts.enums import Role
    from accounts.models import ApiToken, Invitation, Membership, User
    from accounts.services import invite
    from contracts import calls as call_services
    from contracts import services as contract_services
    from contracts.enums import AmendmentObject, ApplicationStatus, CallState, ContractKind, ContractState
    from contracts.models import Action, Amendment, Call, CallApplication, Contract, Programming
    from documents.models import Document
    from documents.services import attach
    from finance.models import Envelope, LedgerEntry
    from imports.ds.crypto import encrypt
    from imports.models import ContractImport, Demarche
    from jobs.models import Export, ExportStatus
    from messaging.models import Notification
    from programme.models import Campaign, Domain, Priority
    from projects.models import Project
    from public import account_requests
    from public.models import AccountRequest, CatalogueEntry, Referent
    from referential.models import Authority, Department, Operator
    from reporting.models import Report
    from steering.annual import KIND as ANNUAL_REPORT
    from steering.enums import CommitteeLevel
    from steering.models import Committee, Evaluation

    def dep(own: bool) -> str:
        return "38" if own else "69"

    def ptai(own: bool) -> Project:
        lead = "200040715" if own else "200046977"  # Grenoble-Alpes-Métropole, Métropole de Lyon
        return Project.objects.filter(lead_authority__siren=lead).order_by("pk").first() or Project.objects.get(pk=0)

    def ptai_in(state: str) -> Callable[[bool], Kwargs]:
        def find(own: bool) -> Kwargs:
            project = Project.objects.filter(department__code=dep(own), state=state).order_by("pk").first()
            assert project is not None, f"the demo has no PTAI {state} in {dep(own)}"
            return {"pk": project.pk}

        return find

    def ctai(own: bool) -> Contract:
        return Contract.objects.filter(department__code=dep(own)).order_by("pk").first()  # type: ignore[return-value]

    def programming(own: bool) -> Programming:
        return Programming.objects.filter(contract__department__code=dep(own)).order_by("pk").first()  # type: ignore[return-value]

    def action(own: bool) -> Kwargs:
        found = Action.objects.filter(programming__contract__department__code=dep(own)).order_by("pk").first()
        assert found is not None
        return {"pk": found.programming_id, "action_pk": found.pk}

    def document(own: bool) -> Kwargs:
        """A public document of the PTAI (the demo's own are written by a task after its commit)."""
        project = ptai(own)
        found = Document.objects.for_target(project).filter(is_internal=False).order_by("pk").first()
        if found is None:
            pdf = ContentFile(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", name="piece.pdf")
            found = attach(actor=None, target=project, uploaded_file=pdf, kind="piece-jointe")
        return {"pk": found.pk}

    def contract_document(own: bool) -> Kwargs:
        """A public document of the CTAI (the demo seeds none)."""
        contract = ctai(own)
        found = Document.objects.for_target(contract).filter(is_internal=False).order_by("pk").first()
        if found is None:
            pdf = ContentFile(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", name="annexe.pdf")
            found = attach(actor=None, target=contract, uploaded_file=pdf, kind="piece-jointe")
        return {"pk": found.pk}

    def invitation(own: bool) -> Kwargs:
        """A pending invitation sent by the préfet of Isère (own) or of Rhône (the demo's are accepted)."""
        code = dep(own)
        email = f"invitee.{code}@example.gouv.fr"
        found = Invitation.objects.filter(email=email).first()
        if found is None:
            prefect = User.objects.get(email=f"prefet.{'isere' if own else 'rhone'}@{DOMAIN}")
            found, _token = invite(
                actor=prefect, email=email, role=Role.INSTRUCTOR, department=Department.objects.get(code=code)
            )
        return {"pk": found.pk}

    def envelope(own: bool) -> Kwargs:
        return {"pk": Envelope.objects.filter(department__code=dep(own)).order_by("pk").first().pk}  # type: ignore[union-attr]

    def entry(own: bool) -> Kwargs:
        found = LedgerEntry.objects.filter(envelope__department__code=dep(own)).order_by("pk").first()
        assert found is not None
        return {"pk": found.pk}

    def person(own: bool) -> User:
        return User.objects.get(email=f"instructeur.{'isere' if own else 'rhone'}@{DOMAIN}")

    def notification(own: bool) -> Kwargs:
        """A notification of the instructeur of Isère (own) or of Rhône (the demo's are sent after commit)."""
        found, _ = Notification.objects.get_or_create(
            recipient=person(own), key="matrice", defaults={"kind": "step", "subject": "Essai", "body": "Essai"}
        )
        return {"pk": found.pk}

    def authority(own: bool) -> Authority:
        return Authority.objects.get(siren="200040715" if own else "200046977")

    def contract_import(own: bool) -> Kwargs:
        """A spreadsheet of contracts uploaded by the Diair whose preview has nothing to create (the
        demo uploads none): its import is refused with a message, without matching every collectivité
        of the referential (seconds per request)."""
        found = ContractImport.objects.order_by("pk").first()
        if found is None:
            found = ContractImport.objects.create(
                file_name="contrats.csv",
                content=b"",
                sha256="0" * 64,
                uploaded_by=User.objects.get(email=f"diair@{DOMAIN}"),
                preview={"rows": [], "names": [], "summary": "Aucune ligne à importer."},
            )
        return {"pk": found.pk}

    def pdf(name: str) -> ContentFile[bytes]:
        return ContentFile(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", name=name)

    def lead(own: bool) -> str:
        return "200040715" if own else "200046977"  # Grenoble-Alpes-Métropole, Métropole de Lyon

    def agent_of(own: bool) -> User:
        return User.objects.get(email=f"agent.{'grenoble' if own else 'lyon'}@{DOMAIN}")

    def signed_ctai(own: bool) -> Contract:
        """The signed CTAI of Grenoble-Alpes-Métropole (own) or of the Métropole de Lyon."""
        found = (
            Contract.objects.filter(kind=ContractKind.CTAI, state=ContractState.SIGNED, authority__siren=lead(own))
            .order_by("pk")
            .first()
        )
        assert found is not None, f"the demo has no signed CTAI of {lead(own)}"
        return found

    def call_in(state: str) -> Callable[[bool], Call]:
        """A call of Grenoble (own) or Lyon in `state`: the demo's (Grenoble's open and closed calls),
        else one made through the services by the collectivité's agent."""

        def find(own: bool) -> Call:
            calls = Call.objects.filter(authority__siren=lead(own), state=state)
            if state == CallState.PUBLISHED:
                calls = calls.filter(deadline__gte=timezone.localdate())
            found = calls.order_by("pk").first()
            if found is None:
                agent = agent_of(own)
                found = call_services.create_call(
                    user=agent,
                    contract=signed_ctai(own),
                    campaign=Campaign.objects.get(year=2022),
                    title=f"Appel de la matrice ({state})",
                    text="Un appel à projets des tests de la matrice des droits.",
                    deadline=timezone.localdate() + timedelta(days=30),
                    budget="50000",
                    domains=["logement"],
                )
                if state != CallState.DRAFT:
                    found = call_services.publish_call(user=agent, call=found)
                if state == CallState.CLOSED:
                    found = call_services.close_call(user=agent, call=found)
            return found

        return find

    def application(own: bool) -> CallApplication:
        """An application to a closed call: the demo opérateur's to Grenoble's (own); another
        opérateur's to a call of Lyon (the demo has none)."""
        call = call_in(CallState.CLOSED)(own)
        found = call.applications.order_by("pk").first()
        if found is None:
            operator, _ = Operator.objects.get_or_create(
                siret="99999999900018", defaults={"name": "Association d'accueil de la matrice (Rhône)"}
            )
            found = CallApplication.objects.create(
                call=call,
                operator=operator,
                title="Une candidature des tests de la matrice",
                description="Ateliers de français.",
                budget=20000,
                requested_amount=10000,
                status=ApplicationStatus.SUBMITTED,
                submitted_by=agent_of(own),
            )
        return found

    def amendment(own: bool) -> Amendment:
        """Lyon's signed amendment n° 1 of the demo; for Grenoble, one in drafting (the demo has none)."""
        contract = signed_ctai(own)
        found = Amendment.objects.filter(contract=contract).order_by("number").first()
        if found is None:
            contract = contract_services.apply_transition(
                contract=contract,
                name="amend",
                user=agent_of(own),
                reason="Un avenant des tests de la matrice des droits.",
                objects_changed=[AmendmentObject.OBJECTIVES],
            )
            found = contract.amendments.order_by("number").first()
        assert found is not None
        return found

    def committee(own: bool) -> Committee:
        """The demo's départemental committee of Isère (own) or of the Rhône."""
        found = Committee.objects.filter(level=CommitteeLevel.DEPARTMENT, department__code=dep(own)).first()
        assert found is not None, f"the demo has no committee of {dep(own)}"
        return found

    def evaluation(own: bool) -> Evaluation:
        """The demo's evaluations: the Grenoble PTAI (own, Isère) and an action of Lyon's CTAI (Rhône)."""
        found = Evaluation.objects.filter(department__code=dep(own)).order_by("pk").first()
        assert found is not None, f"the demo has no evaluation in {dep(own)}"
        return found

    def report(own: bool) -> Report:
        found = Report.objects.filter(authority__siren=lead(own)).order_by("pk").first()
        assert found is not None, f"the demo has no report of {lead(own)}"
        return found

    def report_document(own: bool) -> Kwargs:
        """A public file joined to a report of Grenoble (own) or Lyon (the demo joins none)."""
        target = report(own)
        found = Document.objects.for_target(target).filter(is_internal=False).order_by("pk").first()
        if found is None:
            found = attach(actor=None, target=target, uploaded_file=pdf("bilan.pdf"), kind="piece-jointe")
        return {"pk": found.pk}

    def annual_report(own: bool) -> Kwargs:
        """A generated annual report (the demo generates none: the worker does, on request)."""
        campaign = Campaign.objects.latest("year")
        found = Document.objects.filter(
            kind=ANNUAL_REPORT, target_type=ContentType.objects.get_for_model(Campaign)
        ).first()
        if found is None:
            found = attach(actor=None, target=campaign, uploaded_file=pdf("rapport.pdf"), kind=ANNUAL_REPORT)
        return {"pk": found.pk}

    def export(own: bool) -> Kwargs:
        """A finished export of the instructeur of Isère (own) or of the Rhône (their own only)."""
        requester = person(own)
        found = Export.objects.filter(requester=requester).first()
        if found is None:
            found = Export(
                requester=requester,
                builder="web.exports.projects",
                format="csv",
                label="PTAI",
                status=ExportStatus.DONE,
                filename="ptai.csv",
                expires_at=timezone.now() + timedelta(days=1),
            )
            found.file.save("ptai.csv", ContentFile(b"reference;titre\n"), save=False)
            found.save()
        return {"pk": found.pk}

    def api_token(own: bool) -> Kwargs:
        """The demo's API token of the instructeur of Isère (own) or of the Rhône."""
        found = ApiToken.objects.filter(user=person(own)).order_by("pk").first()
        assert found is not None
        return {"pk": found.pk}

    def demarche(own: bool) -> Kwargs:
        """A connected démarche (national: the administrator's; the demo connects none)."""
        found = Demarche.objects.order_by("pk").first()
        if found is None:
            found = Demarche.objects.create(
                number=424242,
                title="Démarche des tests de la matrice",
                token_encrypted=encrypt("jeton-de-la-matrice"),
                campaign=Campaign.objects.latest("year"),
                connected_by=User.objects.get(email=f"admin@{DOMAIN}"),
            )
        return {"pk": found.pk}

    def referent(own: bool) -> Kwargs:
        found = Referent.objects.filter(department__code=dep(own)).order_by("pk").first()
        assert found is not None, f"the demo has no referent in {dep(own)}"
        return {"pk": found.pk}

    def account_request(own: bool) -> Kwargs:
        """A pending account request of an agent of Grenoble (own) or Lyon (the demo has none)."""
        authority_ = authority(own)
        found = AccountRequest.objects.filter(authority=authority_).order_by("pk").first()
        if found is None:
            found = account_requests.submit(
                first_name="Camille",
                last_name="Matrice",
                email=f"demande.{authority_.siren}@example.fr",
                authority=authority_,
                function="Chargée de mission intégration",
            )
        return {"pk": found.pk}

    def year(own: bool) -> Kwargs:
        return {"year": Campaign.objects.order_by("-year").first().year}  # type: ignore[union-attr]

    def public_entry(own: bool) -> Kwargs:
        return {"key": CatalogueEntry.objects.order_by("pk").first().key}  # type: ignore[union-attr]

    finders: dict[str, tuple[bool, Finder]] = {
        "call_draft": (True, lambda own: {"pk": call_in(CallState.DRAFT)(own).pk}),
        "call_published": (True, lambda own: {"pk": call_in(CallState.PUBLISHED)(own).pk}),
        "call_closed": (True, lambda own: {"pk": call_in(CallState.CLOSED)(own).pk}),
        "call_transition": (True, lambda own: {"pk": call_in(CallState.PUBLISHED)(own).pk, "name": "close"}),
        "application": (True, lambda own: {"pk": application(own).pk}),
        "application_decision": (True, lambda own: {"pk": application(own).pk, "decision": "retenir"}),
        "signed_ctai": (True, lambda own: {"pk": signed_ctai(own).pk}),
        "amendment": (True, lambda own: {"pk": amendment(own).contract_id, "number": amendment(own).number}),
        "amendment_transition": (
            True,
            lambda own: {"pk": amendment(own).contract_id, "number": amendment(own).number, "name": "sign"},
        ),
        "api_amendment": (True, lambda own: {"pk": amendment(own).pk}),
        "api_amendment_transition": (True, lambda own: {"pk": amendment(own).pk, "name": "sign"}),
        "committee": (True, lambda own: {"pk": committee(own).pk}),
        "committee_pdf": (True, lambda own: {"pk": committee(own).pk, "kind": "ordre-du-jour"}),
        "evaluation_target": (True, lambda own: {"kind": "ptai", "pk": ptai(own).pk}),
        "evaluation": (True, lambda own: {"pk": evaluation(own).pk}),
        "report": (True, lambda own: {"pk": report(own).pk}),
        "report_transition": (True, lambda own: {"pk": report(own).pk, "name": "accept"}),
        "report_document": (True, report_document),
        "annual_report": (False, annual_report),
        "export": (True, export),
        "api_token": (True, api_token),
        "demarche": (False, demarche),
        "referent": (True, referent),
        "account_request_decision": (True, lambda own: {**account_request(own), "decision": "accepter"}),
        "ptai": (True, lambda own: {"pk": ptai(own).pk}),
        "ptai_step": (True, lambda own: {"pk": ptai(own).pk, "step": "porteur"}),
        "ptai_transition": (True, lambda own: {**ptai_in("submitted")(own), "name": "start_review"}),
        "ctai": (True, lambda own: {"pk": ctai(own).pk}),
        "ctai_programming": (True, lambda own: {"contract_pk": ctai(own).pk}),
        "ctai_transition": (True, lambda own: {"pk": ctai(own).pk, "name": "end"}),
        "programming": (True, lambda own: {"pk": programming(own).pk}),
        "programming_transition": (True, lambda own: {"pk": programming(own).pk, "name": "approve"}),
        "action": (True, action),
        "document": (True, document),
        "ptai_document": (True, lambda own: {"pk": ptai(own).pk, "document_id": document(own)["pk"]}),
        "ctai_document": (True, lambda own: {"pk": ctai(own).pk, "document_id": contract_document(own)["pk"]}),
        "application_transition": (True, lambda own: {"pk": application(own).pk, "name": "score"}),
        "contract_document": (True, contract_document),
        "invitation": (True, invitation),
        "envelope": (True, envelope),
        "entry": (True, entry),
        "person": (True, lambda own: {"pk": person(own).pk}),
        "membership": (True, lambda own: {"pk": Membership.objects.filter(user=person(own)).first().pk}),  # type: ignore[union-attr]
        "notification": (True, notification),
        "authority": (True, lambda own: {"pk": authority(own).pk}),
        "department": (True, lambda own: {"code": dep(own)}),
        "territory": (True, lambda own: {"pk": authority(own).pk}),
        "contract_import": (False, contract_import),
        "year": (False, year),
        "indicator": (False, lambda own: {**year(own), "code": "bpi_reached"}),
        "domain": (False, lambda own: {"code": Domain.objects.order_by("pk").first().code}),  # type: ignore[union-attr]
        "priority": (False, lambda own: {"code": Priority.objects.order_by("pk").first().code}),  # type: ignore[union-attr]
        "public_entry": (False, public_entry),
        "token": (False, lambda own: {"token": "jeton-inconnu"}),
        "reset_link": (False, lambda own: {"uidb64": "MQ", "token": "set-password"}),
    }
    return {name: (scoped, _once(find)) for name, (scoped, find) in finders.items()}


def _once(find: Finder) -> Finder:
    """A finder asked once per scope: what it finds (or makes) stays for the whole test, since every
    request is rolled back."""
    found: dict[bool, Kwargs] = {}

    def cached(own: bool) -> Kwargs:
        if own not in found:
            found[own] = find(own)
        return found[own]

    return cached


# fmt: off
WEB: dict[str, tuple[str | None, str] | tuple[str | None, str, str]] = {
    # page                                                        objects                         anon norole agent operator instr. prefect diair ministry admin   [POST: the same]
    "healthz":                                                    (None,                          "200 200 200 200 200 200 200 200 200"),
    "readyz":                                                     (None,                          "200 200 200 200 200 200 200 200 200"),
    "login":                                                      (None,                          "200 302 302 302 302 302 302 302 302"),
    "login_second_factor":                                        (None,                          "302 302 302 302 302 302 302 302 302"),
    "login_enrol":                                                (None,                          "302 302 302 302 302 302 302 302 302"),
    "reauthenticate":                                             (None,                          "302 200 200 200 200 200 200 200 200"),
    "recovery_codes":                                             (None,                          "302 302 302 302 200 200 200 200 200"),
    "password_change":                                            (None,                          "302 200 200 200 200 200 200 200 200"),
    "password_reset":                                             (None,                          "200 200 200 200 200 200 200 200 200"),
    "password_reset_done":                                        (None,                          "200 200 200 200 200 200 200 200 200"),
    "password_reset_confirm":                                     ("reset_link",                  "200 200 200 200 200 200 200 200 200"),
    "password_reset_complete":                                    (None,                          "200 200 200 200 200 200 200 200 200"),
    "oidc_authentication_init":                                   (None,                          "404 404 404 404 404 404 404 404 404"),
    "oidc_authentication_callback":                               (None,                          "404 404 404 404 404 404 404 404 404"),
    "logout":                                                     (None,                          "302 405 405 405 405 405 405 405 405", "302 302 302 302 302 302 302 302 302"),
    "invitation_accept":                                          ("token",                       "404 404 404 404 404 404 404 404 404"),
    "web:home":                                                   (None,                          "200 200 200 200 200 200 200 200 200"),
    "web:how_to_ctai":                                            (None,                          "200 200 200 200 200 200 200 200 200"),
    "web:how_to_ptai":                                            (None,                          "200 200 200 200 200 200 200 200 200"),
    "web:territories":                                            (None,                          "200 200 200 200 200 200 200 200 200"),
    "web:territory_detail":                                       ("territory",                   "200 200 200 200 200 200 200 200 200"),
    "web:catalogue":                                              (None,                          "200 200 200 200 200 200 200 200 200"),
    "web:catalogue_entry":                                        ("public_entry",                "200 200 200 200 200 200 200 200 200"),
    "web:contacts":                                               (None,                          "200 200 200 200 200 200 200 200 200"),
    "web:personal_data":                                          (None,                          "200 200 200 200 200 200 200 200 200"),
    "web:eligibility":                                            (None,                          "200 200 200 200 200 200 200 200 200"),
    "web:open_data":                                              (None,                          "200 200 200 200 200 200 200 200 200"),
    "web:open_data_scdl":                                         (None,                          "200 200 200 200 200 200 200 200 200"),
    "web:open_data_360giving":                                    (None,                          "200 200 200 200 200 200 200 200 200"),
    "web:dashboard":                                              (None,                          "302 200 200 200 200 200 200 200 200"),
    "web:steering_dashboard":                                     (None,                          "302 404 200 404 200 200 200 200 200"),
    "web:steering_csv":                                           (None,                          "302 404 200 404 200 200 200 200 200"),
    "web:steering_xlsx":                                          (None,                          "302 404 200 404 200 200 200 200 200"),
    "web:report_list":                                            (None,                          "302 200 200 200 200 200 200 200 200"),
    "web:committee_list":                                         (None,                          "302 404 200 404 200 200 200 200 200"),
    "web:committee_new":                                          (None,                          "302 404 404 404 404 200 200 200 404"),
    "web:committee_detail":                                       ("committee",                      "302 404 200/404 404 200/404 200/404 200 200 200"),
    "web:committee_pdf":                                          ("committee_pdf",        "302 404 200/404 404 200/404 200/404 200 200 200"),
    "web:evaluation_list":                                        (None,                          "302 404 200 404 200 200 200 200 200"),
    "web:evaluation_create":                                      ("evaluation_target",           "302 404 404 404 404 404 200 200 404"),
    "web:report_detail":                                          ("report",                      "302 404 200/404 404 200/404 200/404 200 200 200"),
    "web:authority_search":                                       (None,                          "302 200 200 200 200 200 200 200 200"),
    "web:authority_picker":                                       (None,                          "200 200 200 200 200 200 200 200 200"),
    "web:authority_detail":                                       ("authority",                   "302 404 200/404 404 200/404 200/404 200 200 200"),
    "web:department_list":                                        (None,                          "302 200 200 200 200 200 200 200 200"),
    "web:department_detail":                                      ("department",                  "302 404 200/404 404 200/404 200/404 200 200 200"),
    "web:user_list":                                              (None,                          "302 404 404 404 404 404 404 404 200"),
    "web:user_detail":                                            ("person",                      "302 404 404 404 404 404 404 404 200"),
    "web:user_set_active":                                        ("person",                      "302 405 405 405 405 405 405 405 405", "302 404 404 404 404 404 404 404 302"),
    "web:membership_remove":                                      ("membership",                  "302 405 405 405 405 405 405 405 405", "302 404 404 404 404 404 404 404 302"),
    "web:contract_import":                                        (None,                          "302 404 404 404 404 404 200 404 200"),
    "web:contract_import_detail":                                 ("contract_import",             "302 404 404 404 404 404 200 404 200"),
    "web:contract_import_apply":                                  ("contract_import",             "302 405 405 405 405 405 405 405 405", "302 404 404 404 404 404 302 404 302"),
    "web:campaign_list":                                          (None,                          "302 404 404 404 404 404 200 200 200"),
    "web:campaign_create_next":                                   (None,                          "302 405 405 405 405 405 405 405 405", "302 404 404 404 404 404 404 404 302"),
    "web:campaign_detail":                                        ("year",                        "302 404 404 404 404 404 200 200 200"),
    "web:campaign_edit":                                          ("year",                        "302 404 404 404 404 404 404 404 200"),
    "web:domain_list":                                            (None,                          "302 404 404 404 404 404 200 200 200"),
    "web:domain_edit":                                            ("domain",                      "302 404 404 404 404 404 404 404 200"),
    "web:priority_list":                                          (None,                          "302 404 404 404 404 404 200 200 200"),
    "web:priority_edit":                                          ("priority",                    "302 404 404 404 404 404 404 404 200"),
    "web:invitation_list":                                        (None,                          "302 404 404 404 404 200 404 404 200"),
    "web:signing_delegations":                                    (None,                          "302 404 404 404 404 200 404 404 200"),
    "web:notification_list":                                      (None,                          "302 200 200 200 200 200 200 200 200"),
    "web:notification_settings":                                  (None,                          "302 200 200 200 200 200 200 200 200"),
    "web:notification_read_all":                                  (None,                          "302 405 405 405 405 405 405 405 405", "302 302 302 302 302 302 302 302 302"),
    "web:notification_open":                                      ("notification",                "302 404 404 404 302/404 404 404 404 404"),
    "web:invitation_create":                                      (None,                          "302 404 404 404 404 200 404 404 200"),
    "web:invitation_revoke":                                      ("invitation",                  "302 405 405 405 405 405 405 405 405", "302 404 404 404 404 302/404 404 404 302"),
    "web:budget":                                                 (None,                          "302 404 404 404 200 200 200 200 200"),
    "web:open_credits":                                           ("year",                        "302 404 404 404 404 404 404 200 200"),
    "web:envelope_detail":                                        ("envelope",                    "302 404 404 404 200/404 200/404 200 200 200"),
    "web:envelope_delegate":                                      ("envelope",                    "302 404 404 404 404 404 404 404 404"),
    "web:ledger":                                                 (None,                          "302 404 404 404 200 200 200 200 200"),
    "web:ledger_csv":                                             (None,                          "302 404 404 404 200 200 200 200 200"),
    "web:ledger_xlsx":                                            (None,                          "302 404 404 404 200 200 200 200 200"),
    "web:entry_reverse":                                          ("entry",                       "302 404 404 404 404 404 404 200 200"),
    "web:project_list":                                           (None,                          "302 404 200 404 200 200 200 200 200"),
    "web:project_csv":                                            (None,                          "302 404 200 404 200 200 200 200 200"),
    "web:project_xlsx":                                           (None,                          "302 404 200 404 200 200 200 200 200"),
    "web:project_create":                                         (None,                          "302 404 200 404 404 404 404 404 404"),
    "web:project_detail":                                         ("ptai",                        "302 404 200/404 404 200/404 200/404 200 200 200"),
    "web:project_step":                                           ("ptai_step",                   "302 404 302/404 404 404 404 404 404 404"),
    "web:project_transition":                                     ("ptai_transition",             "302 404 404 404 200/404 404 404 404 404"),
    "web:project_message":                                        ("ptai",                        "302 405 405 405 405 405 405 405 405", "302 404 200/404 404 200/404 200/404 200 200 200"),
    "web:contract_list":                                          (None,                          "302 404 200 404 200 200 200 200 200"),
    "web:contract_csv":                                           (None,                          "302 404 200 404 200 200 200 200 200"),
    "web:contract_xlsx":                                          (None,                          "302 404 200 404 200 200 200 200 200"),
    "web:contract_create":                                        (None,                          "302 404 200 404 404 200 200 404 404"),
    "web:contract_detail":                                        ("ctai",                        "302 404 200/404 404 200/404 200/404 200 200 200"),
    "web:contract_diagnosis":                                     ("ctai",                        "302 404 404 404 404 404 404 404 404"),
    "web:contract_derogation":                                    ("ctai",                        "302 405 405 405 405 405 405 405 405", "302 404 404 404 404 404 404 404 404"),
    "web:contract_coordinator":                                   ("ctai",                        "302 404 404 404 404 404 404 404 404"),
    "web:contract_transition":                                    ("ctai_transition",             "302 404 404 404 404 404 404 404 404"),
    "web:programming_create":                                     ("ctai_programming",            "302 405 405 405 405 405 405 405 405", "302 404 302/404 404 404 404 404 404 404"),
    "web:committee_create":                                       ("ctai",                        "302 404 404 404 404 404 404 404 404"),
    "web:programming_detail":                                     ("programming",                 "302 404 200/404 404 200/404 200/404 200 200 200"),
    "web:programming_amounts":                                    ("programming",                 "302 404 404 404 404 404 404 404 404"),
    "web:action_create":                                          ("programming",                 "302 404 404 404 404 404 404 404 404"),
    "web:action_edit":                                            ("action",                      "302 404 404 404 404 404 404 404 404"),
    "web:action_remove":                                          ("action",                      "302 405 405 405 405 405 405 405 405", "302 404 404 404 404 404 404 404 404"),
    "web:action_review":                                          ("action",                      "302 405 405 405 405 405 405 405 405", "302 404 404 404 404 404 302 404 404"),
    "web:programming_transition":                                 ("programming_transition",      "302 404 404 404 404 404 404 404 404"),
    "web:document_download":                                      ("document",                    "302 404 200/404 404 200/404 200/404 200 200 200"),
    "web:call_list":                                              (None,                          "200 200 200 200 200 200 200 200 200"),
    "web:call_manage":                                            (None,                          "302 404 200 404 404 404 404 404 404"),
    "web:call_my_applications":                                   (None,                          "302 404 404 200 404 404 404 404 404"),
    "web:call_detail":                                            ("call_closed",                      "404 404 200/404 200/404 200/404 200/404 200 200 200"),
    "web:call_edit":                                              ("call_draft",                      "302 404 200/404 404 404 404 404 404 404"),
    "web:call_publish":                                           ("call_draft",                      "302 404 200/404 404 404 404 404 404 404"),
    "web:call_close":                                             ("call_published",                      "302 404 200/404 404 404 404 404 404 404"),
    "web:call_apply":                                             ("call_published",                      "302 404 404 200 404 404 404 404 404"),
    "web:call_applications":                                      ("call_closed",                      "302 404 200/404 404 404 404 404 404 404"),
    "web:call_application":                                       ("application",                      "302 404 200/404 200/404 404 404 404 404 404"),
    "web:call_application_score":                                 ("application",                      "302 405 405 405 405 405 405 405 405", "302 404 400/404 404 404 404 404 404 404"),
    "web:call_application_decide":                                ("application_decision",             "302 405 405 405 405 405 405 405 405", "302 404 302/404 404 404 404 404 404 404"),
    "web:call_application_to_action":                             ("application",                      "302 405 405 405 405 405 405 405 405", "302 404 400/404 404 404 404 404 404 404"),
    "web:call_create":                                            ("signed_ctai",                 "302 404 200/404 404 404 404 404 404 404"),
    "web:call_operator_register":                                 (None,                          "200 302 302 302 302 302 302 302 302"),
    "web:contract_document_download":                             ("contract_document",           "302 404 200/404 404 200/404 200/404 200 200 200"),
    "web:contract_document_upload":                               ("ctai",                        "302 404 404 404 404 404 404 404 404"),
    "web:contract_letter":                                        ("ctai",                        "302 405 405 405 405 405 405 405 405", "302 404 404 404 404 404 404 404 404"),
    "web:contract_text":                                          ("ctai",                        "302 404 404 404 404 404 404 404 404"),
    "web:contract_text_pdf":                                      ("ctai",                        "302 405 405 405 405 405 405 405 405", "302 404 404 404 404 404 404 404 404"),
    "web:contract_message":                                       ("ctai",                        "302 404 200/404 404 404 200/404 200 404 404"),
    "web:contract_amendment":                                     ("amendment",            "302 404 200/404 404 200/404 200/404 200 200 200"),
    "web:contract_amendment_transition":                          ("amendment_transition", "302 404 404 404 404 200/404 404 404 404"),
    "web:contract_amendment_pdf":                                 ("amendment",            "302 405 405 405 405 405 405 405 405", "302 404 302/404 404 404 302/404 302 404 404"),
    "web:contract_amendment_scan":                                ("amendment",            "302 404 404 404 404 404 404 404 404"),
    "admin:index":                                                (None,                          "302 302 302 302 302 302 302 302 200"),
    "web:account_request": (None, "200 200 200 200 200 200 200 200 200"),
    "web:account_request_decide": ("account_request_decision", "302 405 405 405 405 405 405 405 405", "302 404 404 404 302/404 302/404 404 404 302"),
    "web:account_request_list": (None, "302 404 404 404 200 200 404 404 200"),
    "web:annual_report_download": ("annual_report", "302 404 404 404 404 404 200 200 404"),
    "web:annual_reports": (None, "302 404 404 404 404 404 200 200 404"),
    "web:api_token_create": (None, "302 405 405 405 405 405 405 405 405", "302 400 400 400 400 400 400 400 400"),
    "web:api_token_revoke": ("api_token", "302 405 405 405 405 405 405 405 405", "302 404 404 404 302/404 404 404 404 404"),
    "web:api_tokens": (None, "302 200 200 200 200 200 200 200 200"),
    "web:demarche_check": ("demarche", "302 405 405 405 405 405 405 405 405", "302 404 404 404 404 404 404 404 302"),
    "web:demarche_detail": ("demarche", "302 404 404 404 404 404 404 404 200"),
    "web:demarche_list": (None, "302 404 404 404 404 404 404 404 200"),
    "web:demarche_mapping": ("demarche", "302 404 404 404 404 404 404 404 502"),
    "web:demarche_sync": ("demarche", "302 405 405 405 405 405 405 405 405", "302 404 404 404 404 404 404 404 302"),
    "web:export_detail": ("export", "302 404 404 404 200/404 404 404 404 404"),
    "web:export_download": ("export", "302 404 404 404 200/404 404 404 404 404"),
    "web:indicator_edit": ("indicator", "302 404 404 404 404 404 404 404 200"),
    "web:indicator_list": ("year", "302 404 404 404 404 404 200 200 200"),
    "web:indicator_new": ("year", "302 404 404 404 404 404 404 404 200"),
    "web:project_documents": ("ptai", "302 404 200/404 404 200/404 200/404 200 200 200"),
    "web:referent_create": (None, "302 404 404 404 200 200 404 404 200"),
    "web:referent_delete": ("referent", "302 405 405 405 405 405 405 405 405", "302 404 404 404 302/404 302/404 404 404 302"),
    "web:referent_edit": ("referent", "302 404 404 404 200/404 200/404 404 404 200"),
    "web:referent_list": (None, "302 404 404 404 200 200 404 404 200"),
    "web:report_document_download": ("report_document", "302 404 200/404 404 200/404 200/404 200 200 200"),
}
API: dict[str, tuple[str | None, str]] = {
    # endpoint                                                    objects                         anon norole agent operator instr. prefect diair ministry admin
    "GET /api/v1/authorities/":                                   (None,                          "401 200 200 200 200 200 200 200 200"),
    "GET /api/v1/calls/":                                         (None,                          "401 200 200 200 200 200 200 200 200"),
    "GET /api/v1/calls/{id}/":                                    ("call_closed",                      "401 404 200/404 200/404 200/404 200/404 200 200 200"),
    "GET /api/v1/campaigns/":                                     (None,                          "401 403 403 403 403 403 200 200 200"),
    "GET /api/v1/campaigns/{year}/":                              ("year",                        "401 403 403 403 403 403 200 200 200"),
    "GET /api/v1/ctai/":                                          (None,                          "401 200 200 200 200 200 200 200 200"),
    "POST /api/v1/ctai/":                                         (None,                          "401 400 400 400 400 400 400 400 400"),
    "GET /api/v1/ctai/{id}/":                                     ("ctai",                        "401 404 200/404 404 200/404 200/404 200 200 200"),
    "PUT /api/v1/ctai/{id}/coordinator/":                         ("ctai",                        "401 404 400/404 404 403/404 400/404 403 403 403"),
    "PATCH /api/v1/ctai/{id}/diagnosis/":                         ("ctai",                        "401 404 400/404 404 403/404 400/404 400 403 403"),
    "GET /api/v1/ctai/{id}/programmings/":                        ("ctai",                        "401 404 200/404 404 200/404 200/404 200 200 200"),
    "POST /api/v1/ctai/{id}/programmings/":                       ("ctai",                        "401 404 400/404 404 400/404 400/404 400 400 400"),
    "GET /api/v1/ctai/{id}/transitions/":                         ("ctai",                        "401 404 200/404 404 200/404 200/404 200 200 200"),
    "POST /api/v1/ctai/{id}/transitions/{name}/":                 ("ctai_transition",             "401 404 409/404 404 409/404 409/404 409 409 409"),
    "GET /api/v1/departements/":                                  (None,                          "401 200 200 200 200 200 200 200 200"),
    "GET /api/v1/departements/{code}/":                           ("department",                  "401 404 200/404 404 200/404 200/404 200 200 200"),
    "GET /api/v1/envelopes/":                                     (None,                          "401 200 200 200 200 200 200 200 200"),
    "GET /api/v1/envelopes/{id}/":                                ("envelope",                    "401 404 404 404 200/404 200/404 200 200 200"),
    "GET /api/v1/me/":                                            (None,                          "401 200 200 200 200 200 200 200 200"),
    "GET /api/v1/priorities/":                                    (None,                          "401 200 200 200 200 200 200 200 200"),
    "GET /api/v1/priorities/{code}/":                             ("priority",                    "401 200 200 200 200 200 200 200 200"),
    "GET /api/v1/programmings/{id}/":                             ("programming",                 "401 404 200/404 404 200/404 200/404 200 200 200"),
    "PATCH /api/v1/programmings/{id}/":                           ("programming",                 "401 404 400/404 404 403/404 403/404 403 403 403"),
    "POST /api/v1/programmings/{id}/actions/":                    ("programming",                 "401 404 400/404 404 400/404 400/404 400 400 400"),
    "PATCH /api/v1/programmings/{id}/actions/{action_id}/":       ("action",                      "401 404 400/404 404 403/404 403/404 403 403 403"),
    "DELETE /api/v1/programmings/{id}/actions/{action_id}/":      ("action",                      "401 404 400/404 404 403/404 403/404 403 403 403"),
    "POST /api/v1/programmings/{id}/actions/{action_id}/review/": ("action",                      "401 404 400/404 404 400/404 400/404 400 400 400"),
    "GET /api/v1/programmings/{id}/transitions/":                 ("programming",                 "401 404 200/404 404 200/404 200/404 200 200 200"),
    "POST /api/v1/programmings/{id}/transitions/{name}/":         ("programming_transition",      "401 404 409/404 404 409/404 409/404 409 409 409"),
    "GET /api/v1/ptai/":                                          (None,                          "401 200 200 200 200 200 200 200 200"),
    "POST /api/v1/ptai/":                                         (None,                          "401 400 400 400 400 400 400 400 400"),
    "GET /api/v1/ptai/{id}/":                                     ("ptai",                        "401 404 200/404 404 200/404 200/404 200 200 200"),
    "PATCH /api/v1/ptai/{id}/":                                   ("ptai",                        "401 404 400/404 404 403/404 403/404 403 403 403"),
    "GET /api/v1/ptai/{id}/transitions/":                         ("ptai",                        "401 404 200/404 404 200/404 200/404 200 200 200"),
    "POST /api/v1/ptai/{id}/transitions/{name}/":                 ("ptai_transition",             "401 404 409/404 404 200/404 409/404 409 409 409"),
    "GET /api/v1/amendments/": (None, "401 200 200 200 200 200 200 200 200"),
    "GET /api/v1/amendments/{id}/": ("api_amendment", "401 404 200/404 404 200/404 200/404 200 200 200"),
    "GET /api/v1/amendments/{id}/transitions/": ("api_amendment", "401 404 200/404 404 200/404 200/404 200 200 200"),
    "GET /api/v1/calls/{id}/transitions/": ("call_closed", "401 404 200/404 200/404 200/404 200/404 200 200 200"),
    "GET /api/v1/committees/": (None, "401 200 200 200 200 200 200 200 200"),
    "GET /api/v1/committees/{id}/": ("committee", "401 404 200/404 404 200/404 200/404 200 200 200"),
    "GET /api/v1/evaluations/": (None, "401 200 200 200 200 200 200 200 200"),
    "GET /api/v1/evaluations/{id}/": ("evaluation", "401 404 200/404 404 200/404 200/404 200 200 200"),
    "GET /api/v1/ledger/": (None, "401 403 403 403 200 200 200 200 200"),
    "GET /api/v1/ledger/{id}/": ("entry", "401 403 403 403 200/404 200/404 200 200 200"),
    "GET /api/v1/reports/": (None, "401 200 200 200 200 200 200 200 200"),
    "GET /api/v1/reports/{id}/": ("report", "401 404 200/404 404 200/404 200/404 200 200 200"),
    "GET /api/v1/reports/{id}/transitions/": ("report", "401 404 200/404 404 200/404 200/404 200 200 200"),
    "POST /api/v1/amendments/{id}/transitions/{name}/": ("api_amendment_transition", "401 404 409/404 404 409/404 400/404 409 409 409"),
    "POST /api/v1/calls/{id}/transitions/{name}/": ("call_transition", "401 409 200/409 409 409 409 409 409 409"),
    "POST /api/v1/reports/{id}/transitions/{name}/": ("report_transition", "401 404 409/404 404 409/404 409/404 409 409 409"),
    # Issue 13, the API's writes: applications to calls, money, a file's documents and thread.
    "GET /api/v1/calls/{id}/applications/": ("call_closed", "401 404 200/404 200/404 200/404 200/404 200 200 200"),
    "POST /api/v1/calls/{id}/applications/": ("call_closed", "401 404 400/404 400/404 400/404 400/404 400 400 400"),
    "GET /api/v1/applications/": (None, "401 200 200 200 200 200 200 200 200"),
    "GET /api/v1/applications/{id}/": ("application", "401 404 200/404 200/404 404 404 404 404 404"),
    "GET /api/v1/applications/{id}/transitions/": ("application", "401 404 200/404 200/404 404 404 404 404 404"),
    "POST /api/v1/applications/{id}/transitions/{name}/": ("application_transition", "401 404 400/404 403/404 404 404 404 404 404"),
    "POST /api/v1/campaigns/{year}/credits/": ("year", "401 403 403 403 403 403 403 400 400"),
    "POST /api/v1/envelopes/{id}/delegate/": ("envelope", "401 404 404 404 403/404 403/404 403 403 403"),
    "POST /api/v1/ledger/{id}/reverse/": ("entry", "401 403 403 403 403/404 403/404 403 400 400"),
    "GET /api/v1/ptai/{id}/documents/": ("ptai", "401 404 200/404 404 200/404 200/404 200 200 200"),
    "POST /api/v1/ptai/{id}/documents/": ("ptai", "401 404 415/404 404 415/404 415/404 415 415 415"),
    "GET /api/v1/ptai/{id}/documents/{document_id}/": ("ptai_document", "401 404 200/404 404 200/404 200/404 200 200 200"),
    "GET /api/v1/ptai/{id}/messages/": ("ptai", "401 404 200/404 404 200/404 200/404 200 200 200"),
    "POST /api/v1/ptai/{id}/messages/": ("ptai", "401 404 400/404 404 400/404 400/404 400 400 400"),
    "GET /api/v1/ctai/{id}/documents/": ("ctai", "401 404 200/404 404 200/404 200/404 200 200 200"),
    "POST /api/v1/ctai/{id}/documents/": ("ctai", "401 404 415/404 404 415/404 415/404 415 415 415"),
    "GET /api/v1/ctai/{id}/documents/{document_id}/": ("ctai_document", "401 404 200/404 404 200/404 200/404 200 200 200"),
    "GET /api/v1/ctai/{id}/messages/": ("ctai", "401 404 200/404 404 200/404 200/404 200 200 200"),
    "POST /api/v1/ctai/{id}/messages/": ("ctai", "401 404 400/404 404 403/404 400/404 400 403 403"),
}
# fmt: on
