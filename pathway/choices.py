"""Coded values exactly as ../shared/spec/dataset.md spells them (lower-case words)."""

from django.db import models


class Sex(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    INDETERMINATE = "indeterminate", "Indeterminate"
    UNKNOWN = "unknown", "Unknown"


class YesNo(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"


class YesNoUnknown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Unknown"


class Aeeg(models.TextChoices):
    NORMAL = "normal", "Normal"
    MODERATELY_ABNORMAL = "moderately_abnormal", "Moderately abnormal"
    SEVERELY_ABNORMAL = "severely_abnormal", "Severely abnormal"
    SEIZURES = "seizures", "Seizures"
    NOT_DONE = "not_done", "Not done"


class HieGrade(models.IntegerChoices):
    NONE = 0, "0 – none"
    MILD = 1, "1 – mild"
    MODERATE = 2, "2 – moderate"
    SEVERE = 3, "3 – severe"


class TransportCooling(models.TextChoices):
    SERVO = "servo", "Servo-controlled (active)"
    PASSIVE = "passive", "Passive"
    NONE = "none", "None"


class EarlyStopReason(models.TextChoices):
    DIED = "died", "Died"
    REDIRECTION_OF_CARE = "redirection_of_care", "Redirection of care"
    CLINICAL_DECISION = "clinical_decision", "Clinical decision"


class PlacentaSent(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_AVAILABLE = "not_available", "Not available"
    UNKNOWN = "unknown", "Unknown"


class Outcome(models.TextChoices):
    ALIVE = "alive", "Alive"
    DIED = "died", "Died"
    UNKNOWN = "unknown", "Unknown"


class FollowUp(models.TextChoices):
    COMPLETED = "completed", "Completed"
    NOT_DONE = "not_done", "Not done"
    MOVED_OUT = "moved_out", "Moved out of area"
    UNKNOWN = "unknown", "Unknown"


class TemperatureSite(models.TextChoices):
    RECTAL = "rectal", "Rectal"
    OESOPHAGEAL = "oesophageal", "Oesophageal"
    AXILLA = "axilla", "Axilla"
    SKIN = "skin", "Skin"


# Only core sites count for the cooling KPIs (domain.md §8.1 "Temperature site").
CORE_SITES = frozenset({TemperatureSite.RECTAL, TemperatureSite.OESOPHAGEAL})


class Stage(models.TextChoices):
    """Where the baby is on the pathway; derived from the record on every save (Case.derive_stage)."""

    REFERRED = "referred", "Referred – not cooled"
    AWAITING_COOLING = "awaiting_cooling", "Referred – cooling not yet started"
    COOLING = "cooling", "Cooling"
    REWARMING = "rewarming", "Rewarming"
    REWARMED = "rewarmed", "Cooling finished – in hospital"
    DISCHARGED = "discharged", "Discharged – follow-up pending"
    DIED = "died", "Died"
    COMPLETE = "complete", "Pathway complete"
    ENTERED_IN_ERROR = "entered_in_error", "Entered in error"


# v2 additions (dataset.md "v2 additions"): the whole journey, referral to two years.


class ModeOfDelivery(models.TextChoices):
    SPONTANEOUS_VAGINAL = "spontaneous_vaginal", "Spontaneous vaginal"
    INSTRUMENTAL = "instrumental", "Instrumental"
    EMERGENCY_CAESAREAN = "emergency_caesarean", "Emergency caesarean"
    PRELABOUR_CAESAREAN = "prelabour_caesarean", "Pre-labour caesarean"
    UNKNOWN = "unknown", "Unknown"


class SentinelEvent(models.TextChoices):
    NONE = "none", "None"
    CORD_PROLAPSE = "cord_prolapse", "Cord prolapse"
    UTERINE_RUPTURE = "uterine_rupture", "Uterine rupture"
    PLACENTAL_ABRUPTION = "placental_abruption", "Placental abruption"
    SHOULDER_DYSTOCIA = "shoulder_dystocia", "Shoulder dystocia"
    MATERNAL_COLLAPSE = "maternal_collapse", "Maternal collapse"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class Seizures(models.TextChoices):
    NONE = "none", "None"
    CLINICAL = "clinical", "Clinical"
    ELECTROGRAPHIC = "electrographic", "Electrographic only"
    BOTH = "both", "Clinical and electrographic"
    UNKNOWN = "unknown", "Unknown"


class Ventilation(models.TextChoices):
    NONE = "none", "None"
    NON_INVASIVE = "non_invasive", "Non-invasive"
    INVASIVE = "invasive", "Invasive (intubated)"
    UNKNOWN = "unknown", "Unknown"


class ReferralDecision(models.TextChoices):
    COOL = "cool", "Cool"
    DO_NOT_COOL = "do_not_cool", "Do not cool"
    OBSERVE = "observe", "Observe"


class NotCooledReason(models.TextChoices):
    NO_OR_MILD_ENCEPHALOPATHY = "no_or_mild_encephalopathy", "No or mild encephalopathy"
    CRITERIA_A_NOT_MET = "criteria_a_not_met", "Criteria A not met"
    OVER_6H = "over_6h", "Over 6 hours old"
    GESTATION_OR_WEIGHT = "gestation_or_weight", "Gestation or weight"
    MAJOR_ANOMALY = "major_anomaly", "Major congenital anomaly"
    PALLIATIVE_CARE = "palliative_care", "Palliative care"
    IMPROVED = "improved", "Improved"
    PARENTS_DECLINED = "parents_declined", "Parents declined"
    OTHER = "other", "Other"


class MriSequence(models.TextChoices):
    """In the order the dataset writes them (`t1;t2;dwi;mrs;swi`)."""

    T1 = "t1", "T1"
    T2 = "t2", "T2"
    DWI = "dwi", "Diffusion (DWI)"
    MRS = "mrs", "Spectroscopy (MRS)"
    SWI = "swi", "Susceptibility (SWI)"


def ordered_sequences(values: list[str]) -> list[str]:
    """The distinct sequences in the dataset's order; unknown codes are kept at the end for the validator."""
    known = [code for code in MriSequence.values if code in values]
    return known + sorted({v for v in values if v not in MriSequence.values})


# The standard neonatal–radiology protocol (kpis.md v2 `mri_protocol_sequences`).
MRI_PROTOCOL_SEQUENCES = frozenset({MriSequence.T1, MriSequence.T2, MriSequence.DWI, MriSequence.MRS})


class MriScoreSystem(models.TextChoices):
    BARKOVICH = "barkovich", "Barkovich"
    NICHD_NRN = "nichd_nrn", "NICHD NRN"
    WEEKE = "weeke", "Weeke"
    OTHER = "other", "Other"
    NONE = "none", "None"


class MriInjuryPattern(models.TextChoices):
    NORMAL = "normal", "Normal"
    BASAL_GANGLIA_THALAMUS = "basal_ganglia_thalamus", "Basal ganglia and thalamus"
    WATERSHED = "watershed", "Watershed"
    NEAR_TOTAL = "near_total", "Near-total"
    WHITE_MATTER = "white_matter", "White matter"
    FOCAL_STROKE = "focal_stroke", "Focal stroke"
    OTHER = "other", "Other"


class DischargeDestination(models.TextChoices):
    HOME = "home", "Home"
    LOCAL_UNIT = "local_unit", "Local neonatal unit"
    OTHER_HOSPITAL = "other_hospital", "Other hospital"
    HOSPICE = "hospice", "Hospice"
    NOT_APPLICABLE = "not_applicable", "Not applicable (died)"


class PlacentaHistology(models.TextChoices):
    NORMAL = "normal", "Normal"
    CHORIOAMNIONITIS = "chorioamnionitis", "Chorioamnionitis"
    INFARCTION = "infarction", "Infarction"
    OTHER_ABNORMAL = "other_abnormal", "Other abnormal"
    AWAITED = "awaited", "Awaited"


class BayleyVersion(models.TextChoices):
    III = "iii", "Bayley-III"
    IV = "iv", "Bayley-4"
    NOT_DONE = "not_done", "Not done"


class CerebralPalsy(models.TextChoices):
    NONE = "none", "None"
    BILATERAL_SPASTIC = "bilateral_spastic", "Bilateral spastic"
    UNILATERAL_SPASTIC = "unilateral_spastic", "Unilateral spastic"
    DYSKINETIC = "dyskinetic", "Dyskinetic"
    ATAXIC = "ataxic", "Ataxic"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


# The values of `cerebral_palsy` that name a type (then `gmfcs_level` is required).
CEREBRAL_PALSY_TYPES = frozenset({
    CerebralPalsy.BILATERAL_SPASTIC, CerebralPalsy.UNILATERAL_SPASTIC, CerebralPalsy.DYSKINETIC,
    CerebralPalsy.ATAXIC, CerebralPalsy.OTHER,
})


class Vision(models.TextChoices):
    NORMAL = "normal", "Normal"
    IMPAIRED = "impaired", "Impaired"
    NO_USEFUL_VISION = "no_useful_vision", "No useful vision"
    UNKNOWN = "unknown", "Unknown"


class Hearing(models.TextChoices):
    NORMAL = "normal", "Normal"
    AIDED = "aided", "Aided"
    PROFOUND_LOSS = "profound_loss", "Profound loss"
    UNKNOWN = "unknown", "Unknown"


class AcknowledgementReason(models.TextChoices):
    """Why a worklist item or data-quality warning is closed by hand (pathway.worklist.acknowledge)."""

    OUTSIDE_CRITERIA_DECISION = "outside_criteria_decision", (
        "Cooled outside criteria: consultant decision with parents")
    NOT_AVAILABLE = "not_available", "Information not available: asked, cannot be found"
    RECORDED_ELSEWHERE = "recorded_elsewhere", "Done or recorded at another hospital"
    NOT_APPLICABLE = "not_applicable", "Does not apply to this baby"
    FAMILY_DECLINED = "family_declined", "Family declined"
    MOVED_AWAY = "moved_away", "Family moved out of the network"
    CHECKED_CORRECT = "checked_correct", "Checked: the record is correct as it stands"
    OTHER = "other", "Other (say why)"
