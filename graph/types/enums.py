"""Enums: the seed's values, in UPPER_CASE on the wire, lower case in the database."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="What kind of warning a patient alert carries.")
class AlertType(Enum):
    AGGRESSIVE = "aggressive"
    FEARFUL = "fearful"
    ALLERGY = "allergy"
    HANDLING = "handling"
    FINANCIAL = "financial"
    VIP = "vip"
    MEDICAL = "medical"
    CUSTOM = "custom"


@strawberry.enum(description="How loudly an alert should be shown: INFO, WARNING or DANGER.")
class AlertSeverity(Enum):
    INFO = "info"
    WARNING = "warning"
    DANGER = "danger"


@strawberry.enum(description="Clinical severity of a problem-list entry.")
class ProblemSeverity(Enum):
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


@strawberry.enum(description="Animal species.")
class Species(Enum):
    DOG = "dog"
    CAT = "cat"
    BIRD = "bird"
    RABBIT = "rabbit"
    RODENT = "rodent"
    REPTILE = "reptile"
    FERRET = "ferret"
    OTHER = "other"


@strawberry.enum(description="Sex of an animal.")
class Sex(Enum):
    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"


@strawberry.enum(description="A person's role in a clinic, or the SaaS operator's.")
class Role(Enum):
    OWNER = "owner"
    VET = "vet"
    ADMIN = "admin"
    PLATFORM = "platform"


@strawberry.enum(description="Where an appointment is in the visit flow.")
class AppointmentStatus(Enum):
    SCHEDULED = "scheduled"
    CONFIRMED = "confirmed"
    CHECKED_IN = "checked_in"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


@strawberry.enum(description="What a room is used for.")
class RoomType(Enum):
    EXAM = "exam"
    SURGERY = "surgery"
    IMAGING = "imaging"
    TREATMENT = "treatment"
    OTHER = "other"


@strawberry.enum(description="Depth of anesthesia as judged by the anesthetist.")
class AnesthesiaDepth(Enum):
    LIGHT = "light"
    SURGICAL = "surgical"
    DEEP = "deep"
    TOO_DEEP = "too_deep"


@strawberry.enum(description="How an anesthetic episode ended.")
class AnesthesiaOutcome(Enum):
    NORMAL = "normal"
    COMPLICATED = "complicated"
    CRITICAL = "critical"


@strawberry.enum(description="How a person prefers to be contacted.")
class ContactMethod(Enum):
    EMAIL = "email"
    PHONE = "phone"
    SMS = "sms"
    WHATSAPP = "whatsapp"


@strawberry.enum(description="When an owner prefers to bring the pet in.")
class PreferredTime(Enum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"
    ANY = "any"


@strawberry.enum(description="Platform of a push-notification device.")
class DeviceType(Enum):
    IOS = "ios"
    ANDROID = "android"
    WEB = "web"


@strawberry.enum(description="A day of the week, as business hours name it.")
class Weekday(Enum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


@strawberry.enum(description="A capability a clinic can switch on.")
class ClinicFeature(Enum):
    APPOINTMENTS = "appointments"
    MEDICAL_RECORDS = "medical_records"
    ANESTHESIA = "anesthesia"
    HOSPITALIZATION = "hospitalization"
    PROMOTIONS = "promotions"
    API = "api"
    ONLINE_BOOKING = "online_booking"
    REMINDERS = "reminders"


@strawberry.enum(description="Kind of identity document a client is registered with.")
class DocumentType(Enum):
    CI = "ci"
    RUC = "ruc"
    PASSPORT = "passport"
    OTHER = "other"
