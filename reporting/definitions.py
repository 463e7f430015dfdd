"""Each measure in plain words, for the report's definitions sheet and page: whom it counts and when it is met.

Paraphrased from the KPI definitions the engine implements (kpis.md, "HIE pathway KPIs" and "POP KPIs");
the code modules are the exact rules. Babies whose data to decide a measure is missing are reported as
missing beside it, never counted as failing it.
"""

from __future__ import annotations

PLAIN: dict[str, str] = {
    "cooling_started_6h": "Cooled babies whose cooling (passive or active) started within 6 hours of birth, or "
                          "of a collapse after birth.",
    "target_temp_6h": "Cooled babies who reached the target temperature (33 to 34 °C) within 6 hours; babies who "
                      "died before reaching it are not counted.",
    "core_monitoring_before_transfer": "Cooled babies born outside the cooling centre whose continuous core "
                                       "temperature monitoring started before they left the birth hospital.",
    "overcooling_before_centre": "Cooled babies born outside the cooling centre whose temperature fell below "
                                 "33 °C before they reached the cooling centre.",
    "arrival_temp_in_range": "Cooled babies born outside the cooling centre who arrived at 33 to 34 °C.",
    "servo_cooling_in_transport": "Cooled babies born outside the cooling centre who had servo-controlled "
                                  "cooling during transport.",
    "cooling_72h_completed": "Cooled babies without a recorded reason to stop early whose cooling at target "
                             "lasted 70 to 74 hours.",
    "controlled_rewarming": "Rewarmed babies whose rewarming took 6 hours or more.",
    "parent_consultation_24h": "Cooled babies whose parents had a consultation with a senior member of the "
                               "neonatal team within 24 hours of admission.",
    "placenta_sent": "Cooled babies whose placenta was sent for histology (placentas not available are not "
                     "counted).",
    "mri_before_discharge": "Cooled babies discharged alive who had a brain MRI before discharge.",
    "mri_day5_14": "Cooled babies with an MRI whose scan was on day 5 to 14 after birth.",
    "mnsi_referral": "Babies born at 37 weeks or later after labour who were actively cooled, and were "
                     "referred to the Maternity and Newborn Safety Investigations programme.",
    "followup_2y": "Cooled babies alive at discharge, old enough for it, who had their two-year "
                   "neurodevelopmental follow-up.",
    "family_booklet_given": "Cooled babies whose family was given the family booklet.",
    "mortality_before_discharge": "Cooled babies who died before discharge.",
    "cooled_outside_criteria": "Cooled babies born before 36 weeks, with mild or no encephalopathy, or whose "
                               "cooling started after 6 hours.",
    "age_at_referral_min": "Median age in minutes when a baby born outside the cooling centre was referred.",
    "age_at_cooling_start_min": "Median age in minutes when cooling started.",
    "age_at_target_temp_min": "Median age in minutes when the target temperature was reached.",
    "pop_place_of_birth": "Babies born before 27 weeks (28 for twins and more), or under 800 g, who were born "
                          "in a hospital with a neonatal intensive care unit.",
    "pop_antenatal_steroids": "Babies born at 23 to 33 weeks whose mother had at least one dose of antenatal "
                              "steroids.",
    "pop_magnesium_sulphate": "Babies born at 23 to 29 weeks whose mother had magnesium sulphate in the 24 "
                              "hours before birth.",
    "pop_intrapartum_antibiotics": "Babies born after preterm labour whose mother had antibiotics in labour.",
    "pop_optimal_cord_management": "Babies whose cord was clamped 60 seconds or more after birth.",
    "pop_normothermia": "Babies whose first temperature, within an hour of birth, was 36.5 to 37.5 °C.",
    "pop_early_breast_milk": "Babies who had their mother's milk within 24 hours of birth.",
    "pop_all_eligible": "Babies with every element they were eligible for recorded, who had them all.",
    "pop_optimisation_score": "All elements given, out of all elements babies were eligible for, across the "
                              "unit's babies.",
    "training_coverage_12m": "Staff trained in the 12 months to the day, each role capped at its establishment, "
                             "out of the unit's establishment.",
}


def plain(code: str) -> str:
    return PLAIN.get(code, "")
