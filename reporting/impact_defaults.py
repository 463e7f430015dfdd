"""Seed values of `ImpactInput` (migration 0002), from domain.md §6 (and §4.2, §5.3 for the baselines).

Plain data with no model import, so the migration stays valid whatever the models become. After seeding,
the admin's values are the ones used; these are not read at run time.
"""

from __future__ import annotations

from decimal import Decimal

# domain.md §6 (and §4.2, §5.3 for baselines): the seed rows of migration 0002.
DEFAULTS: tuple[dict[str, object], ...] = (
    {"key": "th_baseline_rate", "label": "Babies cooled within 6 h before the pathway (EoE baseline)",
     "value": Decimal("36"), "unit": "%", "source": "EoE neuroprotection project, Health Foundation (domain.md "
     "§4.2 S5; published as target temperature within 6 h)", "year": 2009},
    {"key": "th_nnt", "label": "Therapeutic hypothermia: number needed to treat for one survivor with normal "
     "neurology", "value": Decimal("8"), "unit": "babies treated",
     "source": "Edwards et al., BMJ 2010;340:c363 (95% CI 5–17) (domain.md §6)", "year": 2010},
    {"key": "hie_disability_cost_low", "label": "Lifetime cost of severe disability after HIE (low)",
     "value": Decimal("5000000"), "unit": "£ per child", "source": "EoE project (domain.md §6, S5)",
     "year": 2012},
    {"key": "hie_disability_cost_high", "label": "Lifetime cost of severe disability after HIE (high)",
     "value": Decimal("7000000"), "unit": "£ per child", "source": "EoE project (domain.md §6, S5)",
     "year": 2012},
    {"key": "mgso4_baseline_rate", "label": "Antenatal magnesium sulphate given, national (NNAP)",
     "value": Decimal("85.7"), "unit": "%", "source": "NNAP 2020 (domain.md §5.3, S17)", "year": 2020},
    {"key": "mgso4_nnt", "label": "Magnesium sulphate: number needed to treat to prevent one cerebral palsy",
     "value": Decimal("37"), "unit": "mothers treated", "source": "NHS England / PReCePT, births < 30 weeks "
     "(domain.md §6)", "year": 2019},
    {"key": "cp_cost_low", "label": "Lifetime cost of cerebral palsy (low)", "value": Decimal("670000"),
     "unit": "£ per person", "source": "UCLPartners: 30 cases ≈ £20–25m (domain.md §6)", "year": 2019},
    {"key": "cp_cost_high", "label": "Lifetime cost of cerebral palsy (high)", "value": Decimal("830000"),
     "unit": "£ per person", "source": "Kruse 2009, €830,000, cited by PReCePT (domain.md §6)", "year": 2009},
)
