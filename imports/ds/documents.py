"""The GraphQL documents sent to Démarches Simplifiées (https://www.demarches-simplifiees.fr/api/v2/graphql).

Each is validated against the official schema (`../shared/ref/demarches-simplifiees/schema.graphql`)
with graphql-core in the tests. DS advises polling with `updatedSince` and cursors: its webhooks
carry too little.
"""

DEMARCHE_FIELDS = """
query demarcheFields($number: Int!) {
  demarche(number: $number) {
    id
    number
    title
    activeRevision {
      champDescriptors {
        __typename
        id
        label
        required
      }
    }
  }
}
"""

DOSSIERS = """
query dossiers($number: Int!, $updatedSince: ISO8601DateTime, $after: String) {
  demarche(number: $number) {
    id
    dossiers(first: 100, updatedSince: $updatedSince, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        number
        state
        dateDerniereModification
        usager {
          email
        }
        champs {
          __typename
          id
          champDescriptorId
          label
          stringValue
          ... on PieceJustificativeChamp {
            files {
              filename
              contentType
              checksum
              byteSizeBigInt
              url
            }
          }
        }
      }
    }
  }
}
"""

DELETED_DOSSIERS = """
query deletedDossiers($number: Int!, $deletedSince: ISO8601DateTime, $after: String) {
  demarche(number: $number) {
    id
    deletedDossiers(first: 100, deletedSince: $deletedSince, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        number
        dateSupression
        reason
        state
      }
    }
  }
}
"""

PASS_TO_REVIEW = """
mutation passToReview($input: DossierPasserEnInstructionInput!) {
  dossierPasserEnInstruction(input: $input) {
    dossier {
      id
      state
    }
    errors {
      message
    }
  }
}
"""

ACCEPT = """
mutation accept($input: DossierAccepterInput!) {
  dossierAccepter(input: $input) {
    dossier {
      id
      state
    }
    errors {
      message
    }
  }
}
"""

REFUSE = """
mutation refuse($input: DossierRefuserInput!) {
  dossierRefuser(input: $input) {
    dossier {
      id
      state
    }
    errors {
      message
    }
  }
}
"""

ALL = {
    "demarcheFields": DEMARCHE_FIELDS,
    "dossiers": DOSSIERS,
    "deletedDossiers": DELETED_DOSSIERS,
    "passToReview": PASS_TO_REVIEW,
    "accept": ACCEPT,
    "refuse": REFUSE,
}
