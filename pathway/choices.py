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
