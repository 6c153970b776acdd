import logging
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.enums import Role
from demo.accounts import DEMO_PASSWORD, OCCITANIE_ACCOUNTS, seed_demo_accounts
from demo.ctai import CTAI_ACCOUNTS, seed_demo_ctai
from demo.ctai import summary as ctai_summary
from demo.ctai_calls import seed_demo_calls
from demo.ctai_calls import summary as calls_summary
from demo.finance import seed_demo_finance
from demo.projects import seed_demo_projects, summary
from demo.public import seed_demo_public
from demo.public import summary as public_summary
from demo.steering import seed_demo_steering
from demo.steering import summary as steering_summary
from demo.tokens import DEFAULT_TOKENS_FILE, seed_demo_tokens, write_tokens_file


class Command(BaseCommand):
    help = "Crée les comptes de démonstration (un par rôle) ; sans effet s'ils existent déjà."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--tokens-file",
            type=Path,
            default=DEFAULT_TOKENS_FILE,
            help="Où écrire les jetons d'API des comptes de démonstration (défaut : var/demo-tokens.json).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # The transitions the demo walks through run their tasks (letters, e-mails) in this process:
        # their one line each is for the worker's log, not for whoever seeds the demo.
        task_log = logging.getLogger("jobs.task")
        level = task_log.level
        task_log.setLevel(logging.WARNING)
        try:
            self._seed(options)
        finally:
            task_log.setLevel(level)

    def _accounts(self, accounts: Any) -> None:
        """List the accounts one per line, with `-v 2` (the README lists them all)."""
        if self.verbosity >= 2:
            for account in accounts:
                self.stdout.write(f"  {Role(account.role).label:<24} {account.address}")

    def _seed(self, options: dict[str, Any]) -> None:
        self.verbosity = int(options.get("verbosity", 1))
        results = seed_demo_accounts()
        created = sum(1 for _, was_created in results if was_created)
        self.stdout.write(f"Comptes de démonstration : {created} créé(s), {len(results) - created} déjà présent(s).")
        self.stdout.write(f"Mot de passe de tous les comptes : {DEMO_PASSWORD}")
        self._accounts(account for account, _ in results)
        entries = seed_demo_finance()
        self.stdout.write(f"Budget de démonstration (2021, 2022) : {entries} écriture(s) ajoutée(s).")
        tokens_file = write_tokens_file(seed_demo_tokens(), options["tokens_file"])
        self.stdout.write(f"Jetons d'API des comptes de démonstration : {tokens_file}")
        self.stdout.write(f"Projets de démonstration : {summary(seed_demo_projects())}")
        self._accounts(OCCITANIE_ACCOUNTS)  # the flyer's Occitanie example (with prefet.haute-garonne)
        self.stdout.write(f"CTAI de démonstration : {ctai_summary(seed_demo_ctai())}")
        self._accounts(CTAI_ACCOUNTS)
        self.stdout.write(f"Appels à projets et avenants de démonstration : {calls_summary(seed_demo_calls())}")
        self.stdout.write(f"Côté public et données ouvertes : {public_summary(seed_demo_public())}")
        self.stdout.write(f"Pilotage de démonstration : {steering_summary(seed_demo_steering())}")
        if self.verbosity < 2:
            self.stdout.write("Tous les comptes : README.md, « Demo accounts » (ou seed_demo -v 2).")
