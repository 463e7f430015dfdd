"""Seed values of `ImpactInput` (migrations 0002 and 0004), with their sources in clinical citation form.

Plain data with no model import, so the migrations stay valid whatever the models become. After seeding,
the admin's values are the ones used; these are not read at run time. `measure` names the KPI a baseline
rate is a rate of: an estimate uses a baseline only for its own measure (`reporting.impact`).
"""

from __future__ import annotations

from decimal import Decimal

HEALTH_FOUNDATION = ("The Health Foundation. Delivering better care for infants with brain injury: Cambridge "
                     "University Hospitals NHS Foundation Trust and the East of England Perinatal Network, "
                     "improvement project report. London: The Health Foundation.")
EDWARDS_2010 = ("Edwards AD, Brocklehurst P, Gunn AJ, et al. Neurological outcomes at 18 months of age after "
                "moderate hypothermia for perinatal hypoxic ischaemic encephalopathy: synthesis and meta-analysis "
                "of trial data. BMJ 2010;340:c363.")
NNAP_2020 = ("Royal College of Paediatrics and Child Health. National Neonatal Audit Programme: annual report on "
             "2020 data. London: RCPCH; 2021.")
NNAP_2023 = ("Royal College of Paediatrics and Child Health. National Neonatal Audit Programme: summary report on "
             "2023 data. London: RCPCH; 2024.")
PRECEPT = ("NHS England. PReCePT: using magnesium sulphate to reduce cerebral palsy in pre-term babies. London: "
           "NHS England; 2023.")
UCLP = "UCLPartners. Impact report 2024–25: improving outcomes for preterm babies. London: UCLPartners; 2025."
KRUSE_2009 = ("Kruse M, Michelsen SI, Flachs EM, et al. Lifetime costs of cerebral palsy. Dev Med Child Neurol "
              "2009;51:622–8.")
ROBERTS_2017 = ("Roberts D, Brown J, Medley N, Dalziel SR. Antenatal corticosteroids for accelerating fetal lung "
                "maturation for women at risk of preterm birth. Cochrane Database Syst Rev 2017;3:CD004454.")
FOGARTY_2018 = ("Fogarty M, Osborn DA, Askie L, et al. Delayed vs early umbilical cord clamping for preterm "
                "infants: a systematic review and meta-analysis. Am J Obstet Gynecol 2018;218:1–18.")

DEFAULTS: tuple[dict[str, object], ...] = (
    {"key": "th_baseline_rate", "label": "Target temperature reached within 6 hours, East of England, before the "
     "pathway", "value": Decimal("36"), "unit": "%", "measure": "target_temp_6h",
     "population": "Cooled babies in the East of England, 2009", "source": HEALTH_FOUNDATION, "year": 2009},
    {"key": "th_nnt", "label": "Therapeutic hypothermia: number needed to treat for one more survivor with "
     "normal neurology", "value": Decimal("8"), "unit": "babies treated", "measure": "",
     "population": "Term babies with moderate or severe HIE, cooling against standard care (95% CI 5 to 17)",
     "source": EDWARDS_2010, "year": 2010},
    {"key": "hie_disability_cost_low", "label": "Lifetime cost of severe disability after HIE (low)",
     "value": Decimal("5000000"), "unit": "£ per child", "measure": "", "population": "",
     "source": HEALTH_FOUNDATION, "year": 2012},
    {"key": "hie_disability_cost_high", "label": "Lifetime cost of severe disability after HIE (high)",
     "value": Decimal("7000000"), "unit": "£ per child", "measure": "", "population": "",
     "source": HEALTH_FOUNDATION, "year": 2012},
    {"key": "mgso4_baseline_rate", "label": "Antenatal magnesium sulphate, national rate",
     "value": Decimal("85.7"), "unit": "%", "measure": "pop_magnesium_sulphate",
     "population": "Babies born before 30 weeks, neonatal units in the national audit, 2020",
     "source": NNAP_2020, "year": 2020},
    {"key": "mgso4_nnt", "label": "Magnesium sulphate: number of mothers treated to prevent one case of "
     "cerebral palsy", "value": Decimal("37"), "unit": "mothers treated", "measure": "",
     "population": "Births before 30 weeks", "source": PRECEPT, "year": 2023},
    {"key": "cp_cost_low", "label": "Lifetime cost of cerebral palsy (low)", "value": Decimal("670000"),
     "unit": "£ per person", "measure": "", "population": "About £20 million for 30 cases avoided",
     "source": UCLP, "year": 2025},
    {"key": "cp_cost_high", "label": "Lifetime cost of cerebral palsy (high)", "value": Decimal("830000"),
     "unit": "£ per person", "measure": "", "population": "Danish lifetime costs, €830,000 per person, used as "
     "£830,000", "source": KRUSE_2009, "year": 2009},
    {"key": "dcc_baseline_rate", "label": "Deferred cord clamping (60 seconds or more), national rate",
     "value": Decimal("68.3"), "unit": "%", "measure": "pop_optimal_cord_management",
     "population": "Babies born before 34 weeks, England, Scotland, Wales and the Isle of Man, 2023",
     "source": NNAP_2023, "year": 2023},
    {"key": "preterm_mortality_risk", "label": "Death before discharge, babies born before 32 weeks",
     "value": Decimal("6.4"), "unit": "%", "measure": "",
     "population": "National, 2023; babies born at 32 or 33 weeks die less often, so for them this overstates "
     "the risk", "source": NNAP_2023, "year": 2023},
    {"key": "steroids_mortality_reduction", "label": "Antenatal steroids: fall in neonatal death",
     "value": Decimal("31"), "unit": "%", "measure": "", "population": "Relative risk 0.69 (95% CI 0.59 to 0.81)",
     "source": ROBERTS_2017, "year": 2017},
    {"key": "dcc_mortality_reduction", "label": "Deferred cord clamping: fall in death before discharge",
     "value": Decimal("32"), "unit": "%", "measure": "", "population": "Relative risk 0.68 (95% CI 0.52 to 0.90), "
     "deferred against early clamping", "source": FOGARTY_2018, "year": 2018},
)
