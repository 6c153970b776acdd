"""The seeded campaigns' rules as plain dicts (what `Campaign.rules()` answers on a fresh database).

Pure-Python tests (table and property tests) read these without a database; `test_seed.py`
proves that the data migration gives exactly these.
"""

from __future__ import annotations

from typing import Any

RULES_2021: dict[str, Any] = {
    "year": 2021,
    "national_envelope": "9000000.00",
    "budget_lines": ["104-12", "104-15"],
    "base_min": "150000.00",
    "base_max": "300000.00",
    "complement_rule": "proportional",
    "complement_cap": "150000.00",
    "letter_deadline": "2021-12-31",
    "ctai_mandatory_domains": ["logement"],
    "ctai_min_domains": 1,
    "ptai_mandatory_domains": [],
    "ptai_min_domains": 1,
    "domain_labels": {"logement": "Logement"},
    "signatory_natures": ["CU", "MET69", "METRO", "departement", "region"],
    "evaluation_threshold": "100000.00",
    "bpi_only_needs_justification": True,
    "advance_rate": "50.00",
    "newcomer_horizon_years": 5,
    "small_count_threshold": 11,
}

RULES_2022: dict[str, Any] = {
    **RULES_2021,
    "year": 2022,
    "letter_deadline": "2022-12-31",
    "ctai_min_domains": 2,
    "ptai_mandatory_domains": ["logement"],
    "ptai_min_domains": 2,
}

RULES_BY_YEAR = {2021: RULES_2021, 2022: RULES_2022}
