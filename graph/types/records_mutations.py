"""Inputs and payloads of the patient-record mutations: alerts, problems, profiles, clinics, pets, devices.

In the `Update...` inputs a field left out keeps its value; a field sent as null clears it.
"""

from __future__ import annotations

from datetime import date, datetime, time

import strawberry

from domain.records.errors import RecordsErrorCode
from graph.types.clinical import PatientAlert, PatientProblem
from graph.types.devices import UserDevice
from graph.types.enums import (
    AlertSeverity,
    AlertType,
    ClinicFeature,
    ContactMethod,
    DeviceType,
    PreferredTime,
    ProblemSeverity,
    Sex,
    Species,
    Weekday,
)
from graph.types.people import Clinic, Profile
from graph.types.pet import Pet
from graph.types.user_errors import UserError, user_error

# The codes live in the domain layer; this registers them as a GraphQL enum.
strawberry.enum(RecordsErrorCode, description="Why a patient-record mutation refused some input.")

UNSET = strawberry.UNSET


@user_error("RecordsUserError", field="Path of the offending input, e.g. `businessHours.2.close`.")
class RecordsUserError(UserError[RecordsErrorCode]):
    pass


# -- alerts -----------------------------------------------------------------------------------------


@strawberry.input(description="A new warning on a patient.")
class CreatePatientAlertInput:
    pet_id: strawberry.ID = strawberry.field(description="The patient.")
    alert_type: AlertType = strawberry.field(description="What kind of warning.")
    severity: AlertSeverity = strawberry.field(default=AlertSeverity.WARNING, description="How loud; default WARNING.")
    title: str = strawberry.field(description="Short text for badges, 1-200 characters.")
    message: str | None = strawberry.field(default=None, description="Details, at most 4000 characters.")
    expires_at: datetime | None = strawberry.field(
        default=None, description="When it stops applying; must be in the future. Null: never."
    )


@strawberry.input(description="Changes to an alert. Left-out fields keep their value.")
class UpdatePatientAlertInput:
    alert_id: strawberry.ID = strawberry.field(description="The alert.")
    alert_type: AlertType | None = strawberry.field(default=UNSET, description="What kind of warning.")
    severity: AlertSeverity | None = strawberry.field(default=UNSET, description="How loud.")
    title: str | None = strawberry.field(default=UNSET, description="Short text, 1-200 characters.")
    message: str | None = strawberry.field(default=UNSET, description="Details; null clears.")
    expires_at: datetime | None = strawberry.field(
        default=UNSET, description="New expiry, in the future; null: never expires."
    )


@strawberry.input(description="Switches an alert off. Doing it twice is harmless.")
class DeactivatePatientAlertInput:
    alert_id: strawberry.ID = strawberry.field(description="The alert.")


@strawberry.type(description="Result of an alert mutation.")
class PatientAlertPayload:
    patient_alert: PatientAlert | None = strawberry.field(
        default=None, description="The alert after the change; null on error."
    )
    user_errors: list[RecordsUserError] = strawberry.field(
        default_factory=list, description="What to fix; empty on success."
    )


# -- problems ----------------------------------------------------------------------------------------


@strawberry.input(description="A new problem-list entry: a coded diagnosis, a free name, or both.")
class AddPatientProblemInput:
    pet_id: strawberry.ID = strawberry.field(description="The patient.")
    diagnosis_code_id: strawberry.ID | None = strawberry.field(
        default=None, description="A code from `diagnosisCodes`; one active entry per pet and code."
    )
    problem_name: str | None = strawberry.field(
        default=None, description="Name of the condition, 1-200 characters; default: the code's term."
    )
    icd_code: str | None = strawberry.field(default=None, description="ICD code, if used.")
    onset_date: date | None = strawberry.field(default=None, description="When it began; not in the future.")
    is_chronic: bool = strawberry.field(default=False, description="A long-term condition.")
    severity: ProblemSeverity | None = strawberry.field(default=None, description="Clinical severity.")
    notes: str | None = strawberry.field(default=None, description="Notes, at most 4000 characters.")


@strawberry.input(description="Changes to a problem-list entry. Left-out fields keep their value.")
class UpdatePatientProblemInput:
    problem_id: strawberry.ID = strawberry.field(description="The entry.")
    problem_name: str | None = strawberry.field(default=UNSET, description="Name, 1-200 characters.")
    icd_code: str | None = strawberry.field(default=UNSET, description="ICD code; null clears.")
    onset_date: date | None = strawberry.field(
        default=UNSET, description="When it began; not in the future nor after the resolved date."
    )
    severity: ProblemSeverity | None = strawberry.field(default=UNSET, description="Severity; null clears.")
    notes: str | None = strawberry.field(default=UNSET, description="Notes; null clears.")


@strawberry.input(description="Marks a problem as resolved: it stops being active.")
class ResolvePatientProblemInput:
    problem_id: strawberry.ID = strawberry.field(description="The entry.")
    resolved_date: date | None = strawberry.field(
        default=None, description="When it resolved; default today. Not before onset, not in the future."
    )
    notes: str | None = strawberry.field(default=None, description="Closing notes; replace the entry's notes.")


@strawberry.input(description="Marks a problem as chronic, or not.")
class MarkProblemChronicInput:
    problem_id: strawberry.ID = strawberry.field(description="The entry.")
    is_chronic: bool = strawberry.field(default=True, description="True: chronic; false: not.")


@strawberry.type(description="Result of a problem-list mutation.")
class PatientProblemPayload:
    patient_problem: PatientProblem | None = strawberry.field(
        default=None, description="The entry after the change; null on error."
    )
    user_errors: list[RecordsUserError] = strawberry.field(
        default_factory=list, description="What to fix; empty on success."
    )


# -- profiles ------------------------------------------------------------------------------------------


@strawberry.input(description="What a person agrees to receive. Left-out fields keep their value.")
class CommunicationPreferencesInput:
    marketing: bool | None = strawberry.field(default=UNSET, description="News and promotions.")
    reminders: bool | None = strawberry.field(default=UNSET, description="Appointment and vaccine reminders.")


@strawberry.input(description="Contact details of a profile. Left-out fields keep their value; null clears.")
class UpdateProfileInput:
    profile_id: strawberry.ID | None = strawberry.field(
        default=None, description="Whose profile; default the caller's. Owners edit only their own."
    )
    phone: str | None = strawberry.field(default=UNSET, description="Phone, international format.")
    secondary_phone: str | None = strawberry.field(default=UNSET, description="Another phone.")
    address_line1: str | None = strawberry.field(default=UNSET, description="Street and number.")
    address_line2: str | None = strawberry.field(default=UNSET, description="Apartment, floor, reference.")
    city: str | None = strawberry.field(default=UNSET, description="City.")
    state: str | None = strawberry.field(default=UNSET, description="State or department.")
    postal_code: str | None = strawberry.field(default=UNSET, description="Postal code.")
    country: str | None = strawberry.field(default=UNSET, description="ISO 3166-1 alpha-2 code, e.g. PY.")
    emergency_contact_name: str | None = strawberry.field(default=UNSET, description="Whom to call in an emergency.")
    emergency_contact_phone: str | None = strawberry.field(default=UNSET, description="Their phone.")
    preferred_contact_method: ContactMethod | None = strawberry.field(
        default=UNSET, description="How they prefer to be reached."
    )
    communication_preferences: CommunicationPreferencesInput | None = strawberry.field(
        default=UNSET, description="What they agree to receive."
    )
    timezone: str | None = strawberry.field(default=UNSET, description="IANA time zone, e.g. America/Asuncion.")
    locale: str | None = strawberry.field(default=UNSET, description="BCP 47 locale, e.g. es-PY.")


@strawberry.type(description="Result of `updateProfile`.")
class ProfilePayload:
    profile: Profile | None = strawberry.field(default=None, description="The profile after the change; null on error.")
    user_errors: list[RecordsUserError] = strawberry.field(
        default_factory=list, description="What to fix; empty on success."
    )


# -- clinics -----------------------------------------------------------------------------------------------


@strawberry.input(description="A clinic's pages on social networks (https URLs). The whole set is replaced.")
class SocialLinksInput:
    facebook: str | None = strawberry.field(default=None, description="Facebook page URL.")
    instagram: str | None = strawberry.field(default=None, description="Instagram profile URL.")
    tiktok: str | None = strawberry.field(default=None, description="TikTok profile URL.")
    x: str | None = strawberry.field(default=None, description="X (Twitter) profile URL.")
    youtube: str | None = strawberry.field(default=None, description="YouTube channel URL.")
    whatsapp: str | None = strawberry.field(default=None, description="WhatsApp number, international format.")


@strawberry.input(description="Opening hours of one day, in the clinic's time zone.")
class DayHoursInput:
    day: Weekday = strawberry.field(description="The day; each at most once.")
    open: time = strawberry.field(description="Opening time (local, no offset).")
    close: time = strawberry.field(description="Closing time, after opening.")


@strawberry.input(description="Booking rules. Left-out fields keep their value.")
class AppointmentSettingsInput:
    slot_duration: int | None = strawberry.field(default=UNSET, description="Slot length, minutes 5-240.")
    buffer_time: int | None = strawberry.field(default=UNSET, description="Gap between slots, minutes 0-120.")
    max_advance_days: int | None = strawberry.field(default=UNSET, description="Booking horizon, days 1-730.")
    cancellation_hours: int | None = strawberry.field(
        default=UNSET, description="Owners cancel at least this many hours ahead, 0-720."
    )
    require_confirmation: bool | None = strawberry.field(
        default=UNSET, description="Bookings wait for staff confirmation."
    )
    check_in_window_minutes: int | None = strawberry.field(
        default=UNSET, description="How early before its day a visit may be checked in, minutes 0-1440 (default 0)."
    )


@strawberry.input(description="Which notifications the clinic sends. Left-out fields keep their value.")
class NotificationSettingsInput:
    email: bool | None = strawberry.field(default=UNSET, description="Send e-mails.")
    sms: bool | None = strawberry.field(default=UNSET, description="Send SMS.")
    whatsapp: bool | None = strawberry.field(default=UNSET, description="Send WhatsApp messages.")
    push: bool | None = strawberry.field(default=UNSET, description="Send push notifications.")
    reminder_hours_before: int | None = strawberry.field(
        default=UNSET, description="Remind this many hours before an appointment, 1-168."
    )


@strawberry.input(description="Changes to the caller's clinic. Left-out fields keep their value; null clears.")
class UpdateClinicInput:
    name: str | None = strawberry.field(default=UNSET, description="Trading name, 1-200 characters.")
    address: str | None = strawberry.field(default=UNSET, description="Street address.")
    city: str | None = strawberry.field(default=UNSET, description="City.")
    phone: str | None = strawberry.field(default=UNSET, description="Public phone.")
    email: str | None = strawberry.field(default=UNSET, description="Public e-mail.")
    website: str | None = strawberry.field(default=UNSET, description="Website, https URL.")
    timezone: str | None = strawberry.field(default=UNSET, description="IANA time zone of the clinic's day.")
    social_links: SocialLinksInput | None = strawberry.field(default=UNSET, description="Replaces all links.")
    business_hours: list[DayHoursInput] | None = strawberry.field(
        default=UNSET, description="Replaces the week: up to 7 days, each once; days left out are closed."
    )
    appointment_settings: AppointmentSettingsInput | None = strawberry.field(
        default=UNSET, description="Booking rules to change."
    )
    notification_settings: NotificationSettingsInput | None = strawberry.field(
        default=UNSET, description="Notification switches to change."
    )
    features_enabled: list[ClinicFeature] | None = strawberry.field(
        default=UNSET, description="Replaces the switched-on features."
    )


@strawberry.type(description="Result of `updateClinic`.")
class ClinicPayload:
    clinic: Clinic | None = strawberry.field(default=None, description="The clinic after the change; null on error.")
    user_errors: list[RecordsUserError] = strawberry.field(
        default_factory=list, description="What to fix; empty on success."
    )


# -- pets -------------------------------------------------------------------------------------------------


@strawberry.input(description="Care details of a pet. Left-out fields keep their value; null clears.")
class UpdatePetInput:
    pet_id: strawberry.ID = strawberry.field(description="The pet.")
    name: str | None = strawberry.field(default=UNSET, description="The pet's name, 1-200 characters.")
    species: Species | None = strawberry.field(default=UNSET, description="Species.")
    breed: str | None = strawberry.field(default=UNSET, description="Breed.")
    sex: Sex | None = strawberry.field(default=UNSET, description="Sex.")
    is_neutered: bool | None = strawberry.field(default=UNSET, description="Spayed or castrated.")
    date_of_birth: date | None = strawberry.field(default=UNSET, description="Date of birth; not in the future.")
    color: str | None = strawberry.field(default=UNSET, description="Coat or plumage color.")
    microchip_id: str | None = strawberry.field(default=UNSET, description="Microchip number; unique in the clinic.")
    weight_kg: float | None = strawberry.field(
        default=UNSET, description="Weight in kg; each change is kept in `weightHistory`."
    )
    primary_vet_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="A vet or admin of the clinic (a Profile ID)."
    )
    insurance_policy_id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="An insurance policy of this same pet."
    )
    behavioral_notes: str | None = strawberry.field(default=UNSET, description="Temperament and handling notes.")
    preferred_appointment_time: PreferredTime | None = strawberry.field(
        default=UNSET, description="When the owner prefers to come."
    )


@strawberry.type(description="Result of `updatePet`.")
class PetPayload:
    pet: Pet | None = strawberry.field(default=None, description="The pet after the change; null on error.")
    user_errors: list[RecordsUserError] = strawberry.field(
        default_factory=list, description="What to fix; empty on success."
    )


# -- devices ----------------------------------------------------------------------------------------------


@strawberry.input(description="The caller's device and its push token. Registering a known token updates it.")
class RegisterDeviceInput:
    fcm_token: str = strawberry.field(
        description="Firebase Cloud Messaging token, 1-4096 characters. A token another user of the clinic "
        "had moves to the caller."
    )
    device_type: DeviceType | None = strawberry.field(default=None, description="Platform.")
    device_name: str | None = strawberry.field(default=None, description="A name for it.")
    device_model: str | None = strawberry.field(default=None, description="Hardware model.")
    os_version: str | None = strawberry.field(default=None, description="OS version.")
    app_version: str | None = strawberry.field(default=None, description="Client app version.")


@strawberry.input(description="One of the caller's devices.")
class DeviceInput:
    device_id: strawberry.ID = strawberry.field(description="The device (a UserDevice ID).")


@strawberry.type(description="Result of a device mutation.")
class UserDevicePayload:
    device: UserDevice | None = strawberry.field(
        default=None, description="The device after the change; null on error."
    )
    user_errors: list[RecordsUserError] = strawberry.field(
        default_factory=list, description="What to fix; empty on success."
    )
