"""French labels of the audit verbs. Each app adds its verbs here as it writes them."""

VERB_LABELS: dict[str, str] = {
    "referential.imported": "Référentiel importé",
    "referential.operator_created": "Opérateur enregistré",
    "referential.authority_updated": "Collectivité mise à jour par l'import du référentiel",
    "accounts.invitation_sent": "Invitation envoyée",
    "accounts.invitation_accepted": "Invitation acceptée",
    "accounts.invitation_revoked": "Invitation annulée",
    "accounts.membership_added": "Rôle attribué",
    "accounts.membership_removed": "Rôle retiré",
    "accounts.user_deactivated": "Compte désactivé",
    "accounts.user_reactivated": "Compte réactivé",
    "accounts.user_created": "Compte créé",
    "finance.credits_opened": "Crédits ouverts",
    "finance.delegated": "Crédits délégués",
    "finance.committed": "Crédits engagés",
    "finance.paid": "Versement",
    "finance.reversed": "Écriture annulée",
    "programme.campaign_created": "Campagne créée par copie de la précédente",
    "programme.campaign_updated": "Paramètres de la campagne modifiés",
    "programme.domain_renamed": "Libellé du domaine modifié",
    "programme.derogation_recorded": "Dérogation justifiée",
    "admin.added": "Créé dans l'administration Django",
    "admin.changed": "Modifié dans l'administration Django",
    "admin.deleted": "Supprimé dans l'administration Django",
}


def label_for(verb: str) -> str:
    return VERB_LABELS.get(verb, verb)
