"""Deterministic Paraguayan demo clinics, replaced as a whole in one transaction by `load_demo`.

Clinics, staff, clients and patients go through the front desk's rules and writes (demo/onboarding.py);
the bulk of their history (visits, records, surgeries and vitals, invoices) is copied, with the
database's triggers on."""

from __future__ import annotations

import json
import random
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import cast
from zoneinfo import ZoneInfo

import asyncpg
from tqdm import tqdm

from db import demo_store as store
from db.session import ConnectionDb, RequestDb
from demo import onboarding

SEED = "vetql-demo-v1"
NAMESPACE = uuid.UUID("5b0c3f9e-7a51-4c1e-9a43-0d2f6a8e1c77")
TZ = ZoneInfo("America/Asuncion")
ALERTS_PER_PET = 1.5
PROBLEMS_PER_PET = 1.0
SURGERIES_FRACTION = 0.3
VITALS_PER_LOG = 13

Record = tuple[object, ...]

NAMED_CLINICS = (
    ("clinica-san-roque", "Clínica Veterinaria San Roque", "Asunción"),
    ("veterinaria-asuncion", "Veterinaria Asunción", "Asunción"),
    ("centro-vet-encarnacion", "Centro Veterinario Encarnación", "Encarnación"),
)
CITIES = ("Asunción", "Encarnación", "Ciudad del Este", "San Lorenzo", "Luque")
AREA_CODES = {"Asunción": "21", "Encarnación": "71", "Ciudad del Este": "61", "San Lorenzo": "21", "Luque": "21"}
STREETS = (
    "Avda. Mariscal López",
    "Avda. España",
    "Avda. Eusebio Ayala",
    "Calle Palma",
    "Avda. Artigas",
    "Calle Cerro Corá",
    "Avda. San Martín",
    "Calle Estrella",
    "Avda. Mcal. Estigarribia",
    "Calle Yegros",
)
FIRST_NAMES = (
    "Juan",
    "Carlos",
    "José",
    "Luis",
    "Miguel",
    "Diego",
    "Marcos",
    "Rodrigo",
    "Derlis",
    "Osvaldo",
    "Hugo",
    "Fernando",
    "María",
    "Ana",
    "Lucía",
    "Sofía",
    "Camila",
    "Rocío",
    "Liz",
    "Noelia",
    "Gabriela",
    "Fátima",
    "Mirna",
    "Ramona",
)
SURNAMES = (
    "González",
    "Benítez",
    "Giménez",
    "Villalba",
    "Ortiz",
    "Báez",
    "Martínez",
    "Acosta",
    "Duarte",
    "Cáceres",
    "Ayala",
    "Ramírez",
    "Fernández",
    "Rojas",
    "López",
    "Vera",
    "Franco",
    "Cabrera",
    "Sosa",
    "Aquino",
    "Riveros",
    "Galeano",
    "Núñez",
    "Escobar",
    "Ocampos",
    "Areco",
    "Ferreira",
    "Insfrán",
)
MOBILE_PREFIXES = ("981", "982", "983", "984", "985", "971", "972", "973", "975", "991", "992", "994", "995")
CONTACT_METHODS, CONTACT_WEIGHTS = ("whatsapp", "email", "phone", "sms"), (60, 20, 15, 5)

PET_NAMES = (
    "Firulais",
    "Luna",
    "Toby",
    "Rocky",
    "Max",
    "Bobby",
    "Negro",
    "Manchita",
    "Coco",
    "Lola",
    "Simba",
    "Nala",
    "Kira",
    "Canela",
    "Chispa",
    "Pelusa",
    "Michi",
    "Tom",
    "Oreo",
    "Milo",
    "Bruno",
    "Thor",
    "Zeus",
    "Princesa",
    "Pirata",
    "Chocolate",
    "Pipo",
    "Tito",
    "Mora",
    "Frida",
    "Lucky",
    "Sasha",
    "Bella",
    "Jack",
    "Jagua",
    "Karumbé",
    "Yvoty",
    "Pytã",
    "Kuarahy",
    "Jasy",
    "Aguará",
    "Tatú",
    "Mbarete",
    "Pororó",
    "Chipa",
    "Mandioca",
    "Panchito",
    "Morena",
    "Tigre",
    "Blanquita",
    "Osito",
)
# species -> (weight in the clinic's mix, max age in years, breeds as (name, min kg, max kg))
SPECIES: dict[str, tuple[float, int, tuple[tuple[str, float, float], ...]]] = {
    "dog": (
        55,
        15,
        (
            ("Mestizo", 5, 30),
            ("Caniche", 3, 8),
            ("Labrador Retriever", 25, 38),
            ("Pastor Alemán", 25, 40),
            ("Bulldog Francés", 8, 14),
            ("Golden Retriever", 25, 35),
            ("Chihuahua", 1.5, 3),
            ("Pitbull", 15, 30),
            ("Beagle", 9, 14),
            ("Shih Tzu", 4, 8),
            ("Dachshund", 5, 10),
            ("Rottweiler", 35, 55),
            ("Yorkshire Terrier", 2, 4),
            ("Border Collie", 14, 22),
        ),
    ),
    "cat": (
        35,
        18,
        (
            ("Mestizo", 3, 6),
            ("Doméstico de pelo corto", 3, 6),
            ("Siamés", 3, 5),
            ("Persa", 3, 6),
            ("Maine Coon", 5, 9),
            ("Angora turco", 3, 5),
        ),
    ),
    "bird": (
        3,
        20,
        (
            ("Periquito australiano", 0.03, 0.04),
            ("Cacatúa ninfa", 0.08, 0.11),
            ("Loro hablador", 0.35, 0.45),
            ("Canario", 0.02, 0.03),
        ),
    ),
    "rabbit": (3, 10, (("Mini Lop", 1.3, 1.8), ("Cabeza de León", 1.2, 1.7), ("Rex", 2.5, 4.5))),
    "reptile": (
        1.5,
        40,
        (("Tortuga de tierra (karumbé)", 2, 8), ("Iguana verde", 1, 5), ("Gecko leopardo", 0.05, 0.09)),
    ),
    "rodent": (1.5, 4, (("Hámster sirio", 0.1, 0.18), ("Cobayo", 0.7, 1.2), ("Chinchilla", 0.4, 0.6))),
    "ferret": (1, 8, (("Hurón", 0.7, 2.0),)),
}
COLORS = {
    "dog": ("Negro", "Marrón", "Blanco", "Caramelo", "Atigrado", "Negro y fuego", "Gris", "Dorado"),
    "cat": ("Atigrado", "Negro", "Blanco", "Naranja", "Carey", "Gris", "Tricolor", "Blanco y negro"),
}
EXOTIC_COLORS = ("Verde", "Amarillo", "Gris", "Blanco", "Marrón", "Pardo")
BEHAVIOUR = (
    "Se pone nervioso en la sala de espera.",
    "Muy sociable con el personal.",
    "Tira de la correa; traer con arnés.",
    "Tolera bien la manipulación.",
)

# (code, term, species or None for all, chronic)
DIAGNOSES: tuple[tuple[str, str, tuple[str, ...] | None, bool], ...] = tuple(
    (f"VN-{n:04d}", term, species, chronic)
    for n, (term, species, chronic) in enumerate(
        (
            ("Otitis externa", ("dog", "cat"), False),
            ("Dermatitis alérgica", ("dog", "cat"), False),
            ("Dermatitis atópica canina", ("dog",), True),
            ("Enfermedad renal crónica", ("dog", "cat"), True),
            ("Diabetes mellitus", ("dog", "cat"), True),
            ("Obesidad", None, True),
            ("Displasia de cadera", ("dog",), True),
            ("Hipotiroidismo", ("dog",), True),
            ("Hipertiroidismo", ("cat",), True),
            ("Cardiomiopatía hipertrófica", ("cat",), True),
            ("Enfermedad valvular mitral degenerativa", ("dog",), True),
            ("Enfermedad periodontal", ("dog", "cat", "ferret"), False),
            ("Gastroenteritis aguda", None, False),
            ("Parvovirosis canina", ("dog",), False),
            ("Moquillo canino", ("dog",), False),
            ("Leishmaniasis visceral canina", ("dog",), True),
            ("Dirofilariosis", ("dog",), False),
            ("Ehrlichiosis canina", ("dog",), False),
            ("Cistitis idiopática felina", ("cat",), False),
            ("Urolitiasis", ("dog", "cat", "rabbit", "ferret"), False),
            ("Conjuntivitis", None, False),
            ("Otodectosis", ("dog", "cat", "ferret"), False),
            ("Sarna demodécica", ("dog",), False),
            ("Pulicosis", ("dog", "cat"), False),
            ("Rotura de ligamento cruzado craneal", ("dog",), False),
            ("Artrosis", None, True),
            ("Epilepsia idiopática", ("dog",), True),
            ("Insuficiencia cardíaca congestiva", ("dog", "cat"), True),
            ("Pancreatitis", ("dog", "cat"), False),
            ("Complejo respiratorio felino", ("cat",), False),
            ("Maloclusión dental", ("rabbit", "rodent"), True),
            ("Enfermedad metabólica ósea", ("reptile", "bird"), True),
            ("Neoplasia mamaria", ("dog", "cat"), False),
        ),
        start=1,
    )
)
FREE_PROBLEMS = (
    "Cojera intermitente",
    "Pérdida de peso en estudio",
    "Vómitos ocasionales",
    "Caída de pelo",
    "Soplo cardíaco a investigar",
)
# alert type -> (severity, title, message); the first of each type covers every severity
ALERTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "aggressive": (
        ("danger", "Muerde al manipular", "Usar bozal y sujeción entre dos personas."),
        ("warning", "Agresivo con otros perros", "Esperar fuera de la sala de espera."),
    ),
    "fearful": (
        ("warning", "Muy temeroso", "Manejo tranquilo, sin prisa; ofrecer premios."),
        ("info", "Miedo a la balanza", "Pesar al final de la consulta."),
    ),
    "allergy": (
        ("danger", "Alergia a penicilina", "Reacción grave previa a amoxicilina."),
        ("warning", "Alergia alimentaria", "No ofrecer premios con pollo."),
    ),
    "handling": (
        ("warning", "Requiere bozal", "Colocar bozal antes de examinar."),
        ("info", "Venas difíciles", "Preferir vena yugular para extracción."),
    ),
    "financial": (
        ("warning", "Saldo pendiente", "Consultar con administración antes de nuevos servicios."),
        ("info", "Paga por transferencia", "Enviar la factura por WhatsApp."),
    ),
    "vip": (("info", "Cliente preferencial", "Priorizar turno y avisar al llegar."),),
    "medical": (
        ("danger", "Riesgo anestésico elevado", "Cardiópata: evaluación previa obligatoria."),
        ("warning", "Diabético", "Insulina cada 12 h; preguntar la hora de la última dosis."),
    ),
    "custom": (
        ("info", "Prefiere turnos por la tarde", "El propietario trabaja por la mañana."),
        ("info", "Atender en guaraní", "La propietaria prefiere hablar en guaraní."),
    ),
}
ALERT_TEMPLATES = [(kind, *t) for kind, ts in ALERTS.items() for t in ts]
COVERAGE = [(kind, *ts[0]) for kind, ts in ALERTS.items()]

# (name, category, price in PYG, minutes, species or None for all)
SERVICES: tuple[tuple[str, str, int, int, tuple[str, ...] | None], ...] = (
    ("Consulta general", "consultation", 150000, 30, None),
    ("Consulta de control", "consultation", 100000, 15, None),
    ("Consulta de urgencia", "consultation", 250000, 45, None),
    ("Vacuna antirrábica", "vaccination", 80000, 15, ("dog", "cat", "ferret")),
    ("Vacuna séxtuple canina", "vaccination", 120000, 15, ("dog",)),
    ("Vacuna triple felina", "vaccination", 110000, 15, ("cat",)),
    ("Desparasitación", "other", 50000, 15, None),
    ("Castración", "surgery", 650000, 90, ("dog", "cat", "rabbit", "ferret")),
    ("Limpieza dental", "dental", 400000, 60, ("dog", "cat")),
    ("Radiografía", "imaging", 180000, 30, None),
    ("Ecografía abdominal", "imaging", 220000, 30, ("dog", "cat", "rabbit", "ferret")),
    ("Hemograma completo", "lab", 90000, 15, None),
    ("Perfil bioquímico", "lab", 160000, 15, None),
    ("Baño y peluquería", "grooming", 90000, 60, ("dog", "cat")),
)
CATEGORY_WEIGHT = {
    "consultation": 50,
    "vaccination": 18,
    "lab": 10,
    "imaging": 7,
    "dental": 4,
    "grooming": 6,
    "surgery": 4,
    "other": 5,
}
RECORD_TYPE = {
    "consultation": "consultation",
    "vaccination": "vaccination",
    "surgery": "surgery",
    "imaging": "imaging",
    "lab": "lab",
}
REASONS = (
    "Control anual",
    "Vómitos desde ayer",
    "Diarrea",
    "Se rasca las orejas",
    "Cojera de una pata",
    "Pérdida de apetito",
    "Control post quirúrgico",
    "Tos seca",
)
RECORD_NOTES = (
    "Paciente estable, sin hallazgos relevantes.",
    "Se indica control en 15 días.",
    "Se recomienda dieta y control de peso.",
    "Buena respuesta al tratamiento indicado.",
)
PRODUCTS = (
    ("Antiparasitario interno (comprimido)", 35000),
    ("Pipeta antipulgas", 60000),
    ("Alimento balanceado 3 kg", 120000),
    ("Collar isabelino", 45000),
    ("Shampoo medicado", 70000),
)
ROOMS = (
    ("Consultorio 1", "exam", 1, ["camilla", "otoscopio", "balanza"]),
    ("Quirófano", "surgery", 2, ["máquina de anestesia", "monitor multiparamétrico", "electrobisturí"]),
    ("Consultorio 2", "exam", 1, ["camilla", "oftalmoscopio"]),
    ("Sala de imágenes", "imaging", 1, ["equipo de rayos X", "ecógrafo"]),
    ("Sala de tratamiento", "treatment", 4, ["bombas de infusión", "jaulas de internación"]),
)
VACCINES = {
    "dog": ("Antirrábica", "Séxtuple canina (DHPPi+L)", "Tos de las perreras (Bordetella)"),
    "cat": ("Antirrábica", "Triple felina (FVRCP)", "Leucemia felina (FeLV)"),
}
PROCEDURES = (
    "Profilaxis dental con extracciones",
    "Extirpación de masa cutánea",
    "Cistotomía",
    "Reparación de ligamento cruzado",
    "Esplenectomía",
    "Sutura de laceración",
    "Biopsia incisional",
)
PROTOCOLS = {
    "dog": "Acepromacina + metadona IM; inducción con propofol IV; mantenimiento con isoflurano",
    "cat": "Dexmedetomidina + ketamina + butorfanol IM; mantenimiento con isoflurano",
}
EXOTIC_PROTOCOL = "Inducción con isoflurano en cámara; mantenimiento con isoflurano por mascarilla"
# species -> heart rate, respiratory rate, temperature (°C) ranges under anesthesia
VITAL_RANGES = {
    "dog": ((60, 140), (8, 20), (36.5, 38.5)),
    "cat": ((120, 200), (10, 30), (36.5, 38.5)),
    "rabbit": ((130, 250), (20, 50), (37.0, 39.0)),
    "ferret": ((180, 250), (20, 40), (37.0, 39.0)),
    "bird": ((150, 350), (20, 60), (39.0, 42.0)),
    "rodent": ((200, 350), (40, 100), (36.0, 38.5)),
    "reptile": ((20, 60), (2, 10), (24.0, 32.0)),
}

_COLUMN_NAMES = {  # insert order: parents first
    "tenants": "id name legal_name ruc timezone currency locale address city phone email website business_hours"
    " subscription_tier features_enabled",
    "profiles": "tenant_id id role full_name email phone address_line1 city preferred_contact_method",
    "services": "tenant_id id name category base_price duration_minutes",
    "exam_rooms": "tenant_id id name room_type capacity equipment display_order",
    "pets": "tenant_id id owner_id name species breed sex is_neutered date_of_birth weight_kg color microchip_id"
    " is_deceased primary_vet_id preferred_appointment_time behavioral_notes",
    "appointments": "tenant_id id pet_id vet_id service_id start_time end_time status reason created_by"
    " checked_in_at checked_in_by started_at completed_at room_id wait_time_minutes visit_duration_minutes",
    "room_assignments": "tenant_id id appointment_id room_id assigned_by assigned_at released_at",
    "medical_records": "tenant_id id pet_id appointment_id vet_id record_type title diagnosis_code_id notes visit_date",
    "anesthesia_logs": "tenant_id id pet_id medical_record_id procedure_name anesthesia_protocol"
    " pre_anesthesia_assessment induction_time maintenance_start recovery_start extubation_time"
    " full_recovery_time complications outcome completed_at created_by created_at vitals_seq",
    "anesthesia_vitals": "tenant_id id anesthesia_log_id seq recorded_at heart_rate respiratory_rate spo2 etco2"
    " blood_pressure_systolic blood_pressure_diastolic blood_pressure_mean temperature"
    " anesthesia_depth iv_fluids_rate recorded_by",
    "patient_alerts": "tenant_id id pet_id alert_type severity title message is_active expires_at created_by"
    " created_at",
    "patient_problems": "tenant_id id pet_id problem_name diagnosis_code_id onset_date resolved_date is_chronic"
    " is_active severity created_by",
    "vaccines": "tenant_id id pet_id name batch_number administered_date next_dose_date administered_by",
    "invoices": "tenant_id id invoice_number client_id pet_id status issue_date due_date subtotal discount_total"
    " tax_total total currency",
    "invoice_items": "tenant_id id invoice_id item_type service_id description quantity unit_price line_discount"
    " iva_rate position",
    "payments": "tenant_id id invoice_id client_id method amount reference received_at received_by",
    "tenant_subscriptions": "tenant_id id plan_id status current_period_start current_period_end",
    "tenant_usage": "tenant_id id period_start period_end sms_sent emails_sent messages_sent storage_bytes"
    " active_users",
}
COLUMNS: dict[str, tuple[str, ...]] = {table: tuple(names.split()) for table, names in _COLUMN_NAMES.items()}
ONBOARDED = ("tenants", "profiles", "pets")  # through demo/onboarding.py, in the front desk's rules
COPIED = tuple(table for table in COLUMNS if table not in ONBOARDED)


@dataclass
class DemoClinic:
    tenant_id: str
    name: str
    admin_id: uuid.UUID
    vet_ids: list[uuid.UUID]
    owner_ids: list[uuid.UUID] = field(repr=False)
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows inserted


@dataclass
class DemoSummary:
    clinics: list[DemoClinic]
    diagnosis_codes: int = 0  # shared codes present after the load


@dataclass(frozen=True)
class _Params:
    pets: int
    alerts_per_pet: float
    problems_per_pet: float
    surgeries_fraction: float
    vitals_per_log: int
    now: datetime  # in the clinics' zone, whole minutes

    @property
    def today(self) -> date:
        return self.now.date()


@dataclass
class _Pet:
    id: uuid.UUID
    owner_id: uuid.UUID
    species: str
    sex: str
    age_days: int
    weight: Decimal
    deceased: bool
    row: tuple[object, ...]  # the pets columns
    last_visit: date | None = None


@dataclass(frozen=True)
class _Visit:
    status: str
    checked_in: datetime | None = None
    started: datetime | None = None
    completed: datetime | None = None


@dataclass(frozen=True)
class _Monitoring:
    """What one log's vitals are made from; they are generated while COPY sends them."""

    log_id: uuid.UUID
    species: str
    readings: int
    start: datetime
    troubled: bool
    finished: bool  # the last readings are of the recovery
    vet: uuid.UUID


def _int(rng: random.Random, lo: int, hi: int) -> int:
    """rng.randint(lo, hi), several times faster (the hot loops draw millions)."""
    return lo + int(rng.random() * (hi - lo + 1))


def _count(rng: random.Random, mean: float) -> int:
    """An integer whose expected value is `mean`."""
    whole = int(mean)
    return whole + (1 if rng.random() < mean - whole else 0)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return ".".join(ascii_text.lower().split())


def _ruc(index: int) -> str:
    """A Paraguayan RUC with its modulo-11 check digit."""
    base = f"800{(index * 7919 + 12345) % 100000:05d}"
    total = sum(int(d) * (k % 10 + 2) for k, d in enumerate(reversed(base)))
    rest = total % 11
    return f"{base}-{11 - rest if rest > 1 else 0}"


def _clinic_identity(index: int) -> tuple[str, str, str]:
    if index < len(NAMED_CLINICS):
        return NAMED_CLINICS[index]
    return f"clinica-demo-{index + 1}", f"Clínica Demo {index + 1}", CITIES[index % len(CITIES)]


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TZ)


def _minutes(start: datetime | None, end: datetime | None) -> int | None:
    return None if start is None or end is None else int((end - start).total_seconds()) // 60


def _vitals(rng: random.Random, m: _Monitoring) -> Iterator[Record]:
    """m.readings monitor readings, every 5 minutes from m.start: recorded_at .. iv_fluids_rate."""
    (hr_lo, hr_hi), (rr_lo, rr_hi), (t_lo, t_hi) = VITAL_RANGES.get(m.species, VITAL_RANGES["dog"])
    n = m.readings
    for i in range(n):
        dip = rng.random() < (0.08 if m.troubled else 0.03)
        systolic = _int(rng, 70, 89) if dip and m.troubled else _int(rng, 90, 130)
        diastolic = _int(rng, 50, min(80, systolic - 10))
        temp = t_hi - (t_hi - t_lo) * 0.8 * i / max(n - 1, 1) + rng.uniform(-0.15, 0.15)
        light = i == 0 or (m.finished and n > 4 and i >= n - 2)  # induction and recovery
        depth = "light" if light else ("deep" if rng.random() < 0.05 else "surgical")
        spo2 = _int(rng, 88, 94) if dip else _int(rng, 95, 100)
        yield (
            m.start + timedelta(minutes=5 * i),
            _int(rng, hr_lo, hr_hi),
            _int(rng, rr_lo, rr_hi),
            Decimal(spo2),
            Decimal(_int(rng, 35, 45)),
            systolic,
            diastolic,
            diastolic + (systolic - diastolic) // 3,
            Decimal(f"{min(max(temp, t_lo), t_hi):.1f}"),
            depth,
            Decimal(10 if rng.random() < 0.3 else 5),
        )


class _Clinic:
    """One clinic's rows: small tables built in memory, the largest generated while they are copied."""

    def __init__(self, index: int, params: _Params, codes: dict[str, uuid.UUID]) -> None:
        self.index = index
        self.tenant_id, self.name, self.city = _clinic_identity(index)
        self.p = params
        self.codes = codes
        self.rows: dict[str, list[Record]] = {table: [] for table in COLUMNS}
        self.counts = dict.fromkeys(COLUMNS, 0)
        self.midnight = _local(params.today, 0)
        self.admin_id = self.uid("admin", 0)
        self.vet_ids = [self.uid("vet", i) for i in range(3)]
        self.owner_ids = [self.uid("owner", i) for i in range(max(1, params.pets // 2))]
        self.service_ids = [self.uid("service", i) for i in range(len(SERVICES))]
        self.room_ids = [self.uid("room", i) for i in range(3 + index % 3)]
        self.pets: list[_Pet] = []
        self.monitoring: list[_Monitoring] = []
        self.live_pet: _Pet | None = None  # the patient in surgery now
        self.completed: list[tuple[datetime, int, _Pet, int]] = []  # completed_at, appointment, pet, service

    def uid(self, kind: str, n: int | str) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"{self.tenant_id}/{kind}/{n}")

    def rng(self, step: str) -> random.Random:
        return random.Random(f"{SEED}/{self.tenant_id}/{step}")  # noqa: S311 - demo data, not secrets

    def add(self, table: str, *values: object) -> None:
        self.rows[table].append(values if table == "tenants" else (self.tenant_id, *values))

    def staff(self, rng: random.Random) -> uuid.UUID:
        return rng.choice((self.admin_id, *self.vet_ids))

    def build(self) -> None:
        """Everything but the streamed tables (alerts, problems, vitals); staff first (`onboard_staff`)."""
        for step in (
            self.services,
            self.rooms,
            self.make_pets,
            self.surgeries,
            self.appointments,
            self.vaccines,
            self.billing,
        ):
            step()
        self.rows["pets"] = [pet.row for pet in self.pets]

    async def onboard_staff(self, db: RequestDb) -> None:
        """Open the clinic and staff it as a real one is (its admin and vets take their ids from accepting)."""
        self.tenant()
        self.profiles()
        slug, name, legal, ruc, zone, currency, locale, address, city, phone, email, website, hours, tier, features = (
            self.rows["tenants"][0]
        )
        spans = {day: [(time.fromisoformat(s["open"]), time.fromisoformat(s["close"]))]
                 for day, s in json.loads(str(hours)).items()}  # fmt: skip
        spec = onboarding.ClinicSpec(
            str(slug), str(name), str(tier), str(address), str(city), str(phone), str(email), str(website), str(zone),
            spans, list(cast(list[str], features)),
        )  # fmt: skip
        await onboarding.open_clinic(db, spec)
        await store.set_clinic_identity(db, self.tenant_id, str(legal), str(ruc), str(currency), str(locale))
        members = [row for row in self.rows["profiles"] if row[2] != "owner"]
        joined: list[uuid.UUID] = []
        for _, _, role, full_name, mail, *_ in members:
            member = onboarding.Member(str(role), str(full_name), str(mail))
            by = joined[0] if joined else None  # the first admin is invited by the platform, the vets by them
            joined.append(await onboarding.join(db, self.tenant_id, member, by))
        self.admin_id, self.vet_ids = joined[0], joined[1:]
        self.counts["tenants"] = 1

    async def register(self, db: RequestDb) -> None:
        """Clients and patients through createOwner's and createPet's rules; deaths through markPetDeceased's."""
        clients = [row for row in self.rows["profiles"] if row[2] == "owner"]
        for n, (_, pid, _, full_name, mail, phone, street, city, method) in enumerate(clients):
            # a cédula as written at the desk (dots), one per client
            document = f"{(n * 7919 + 1_000_003 + self.index * 104_729) % 9_000_000 + 1_000_000:,}".replace(",", ".")
            client = onboarding.Client(
                cast(uuid.UUID, pid), str(full_name), str(mail), str(phone), str(street), str(city), str(method),
                document,
            )  # fmt: skip
            await onboarding.register_client(db, self.tenant_id, client)
        for pet in self.pets:
            (_, _, _, name, _, breed, _, neutered, born, _, color, chip, _, vet, when, notes) = pet.row
            patient = onboarding.Patient(
                pet.id, pet.owner_id, str(name), pet.species, cast(str | None, breed), pet.sex, bool(neutered),
                cast(date | None, born), pet.weight, cast(str | None, color), cast(str | None, chip),
                cast(uuid.UUID, vet), str(when), cast(str | None, notes),
            )  # fmt: skip
            await onboarding.register_patient(db, self.tenant_id, patient, self.p.today)
        rng = self.rng("deaths")
        for pet in (p for p in self.pets if p.deceased):
            born = cast(date | None, pet.row[8])
            on = self.p.today - timedelta(days=_int(rng, 0, min(pet.age_days, 365)))
            await onboarding.record_death(db, self.tenant_id, pet.id, on, born, self.p.today)
        self.counts["profiles"] = 1 + len(self.vet_ids) + len(clients)
        self.counts["pets"] = len(self.pets)

    def records(self, table: str) -> Iterator[Record]:
        """The rows of `table`, in COLUMNS order, counted as they go."""
        streams = {"patient_alerts": self.alerts, "patient_problems": self.problems, "anesthesia_vitals": self.vitals}
        for row in streams[table]() if table in streams else self.rows[table]:
            self.counts[table] += 1
            yield row

    def summary(self) -> DemoClinic:
        return DemoClinic(self.tenant_id, self.name, self.admin_id, self.vet_ids, self.owner_ids, dict(self.counts))

    def tenant(self) -> None:
        rng = self.rng("tenant")
        hours = {day: {"open": "08:00", "close": "18:00"} for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
        self.add(
            "tenants",
            self.tenant_id,
            self.name,
            f"{self.name} S.A.",
            _ruc(self.index),
            "America/Asuncion",
            "PYG",
            "es-PY",
            f"{rng.choice(STREETS)} {rng.randint(100, 4999)}",
            self.city,
            f"+595 {AREA_CODES[self.city]} {rng.randint(200000, 699999)}",
            f"contacto@{self.tenant_id}.example.com",
            f"https://{self.tenant_id}.example.com",
            json.dumps(hours),
            "pro",
            ["appointments", "medical_records", "anesthesia", "hospitalization", "promotions"],
        )

    def profiles(self) -> None:
        rng, used = self.rng("profiles"), set()
        staff = [(self.admin_id, "admin"), *((vet, "vet") for vet in self.vet_ids)]
        for n, (pid, role) in enumerate([*staff, *((owner, "owner") for owner in self.owner_ids)]):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)} {rng.choice(SURNAMES)}"
            phone = f"+595 {rng.choice(MOBILE_PREFIXES)} {rng.randint(100000, 999999)}"
            if role == "owner":
                street = f"{rng.choice(STREETS)} {rng.randint(100, 4999)}"
                city = rng.choice(CITIES) if rng.random() < 0.3 else self.city
                method = rng.choices(CONTACT_METHODS, CONTACT_WEIGHTS)[0]
                self.add("profiles", pid, role, name, f"{_slug(name)}.{n}@example.com", phone, street, city, method)
                continue
            local = _slug(" ".join(name.split()[:2]))
            local = f"{local}.{n}" if local in used else local
            used.add(local)
            self.add(
                "profiles", pid, role, name, f"{local}@{self.tenant_id}.example.com", phone, None, self.city, "email"
            )

    def services(self) -> None:
        for sid, (name, category, price, minutes, _) in zip(self.service_ids, SERVICES, strict=True):
            self.add("services", sid, name, category, Decimal(price), minutes)

    def rooms(self) -> None:
        for n, rid in enumerate(self.room_ids):
            self.add("exam_rooms", rid, *ROOMS[n], n)

    def make_pets(self) -> None:
        rng, species_names = self.rng("pets"), list(SPECIES)
        weights = [SPECIES[s][0] for s in species_names]
        for n in range(self.p.pets):
            pid = self.uid("pet", n)
            owner = self.owner_ids[n] if n < len(self.owner_ids) else rng.choice(self.owner_ids)
            species = rng.choices(species_names, weights)[0]
            _, max_age, breeds = SPECIES[species]
            breed, lo, hi = rng.choice(breeds)
            age_days = _int(rng, 45, max_age * 365)
            growth = min(1.0, max(0.25, age_days / 365))
            weight = max(Decimal("0.01"), round(Decimal(rng.uniform(lo, hi) * growth), 2))
            sex = rng.choice(("male", "female"))
            sex = "unknown" if species in ("bird", "reptile") and rng.random() < 0.5 else sex
            neutered = species in ("dog", "cat") and age_days > 365 and rng.random() < 0.55
            chipped = species in ("dog", "cat") and rng.random() < 0.65
            chip = f"600{(n * 7_919_007 + 104_729 * self.index + 12_345) % 10**12:012d}" if chipped else None
            deceased = rng.random() < 0.01
            dob = self.p.today - timedelta(days=age_days) if rng.random() < 0.97 else None
            row = (
                self.tenant_id,
                pid,
                owner,
                rng.choice(PET_NAMES),
                species,
                breed,
                sex,
                neutered,
                dob,
                weight,
                rng.choice(COLORS.get(species, EXOTIC_COLORS)),
                chip,
                deceased,
                rng.choice(self.vet_ids),
                rng.choice(("morning", "afternoon", "evening", "any")),
                rng.choice(BEHAVIOUR) if rng.random() < 0.1 else None,
            )
            self.pets.append(_Pet(pid, owner, species, sex, age_days, weight, deceased, row))

    def alerts(self) -> Iterator[Record]:
        rng, k = self.rng("alerts"), 0
        counts = [_count(rng, self.p.alerts_per_pet) for _ in self.pets]
        for n in range(sum(counts), 10 if self.pets else 0):  # room for every type, severity and state
            counts[n % len(counts)] += 1
        for pet, count in zip(self.pets, counts, strict=True):
            forced = COVERAGE[k : k + count]  # the first alerts of a clinic cover every type and severity
            others = [t for t in ALERT_TEMPLATES if t not in forced] if forced else ALERT_TEMPLATES
            for kind, severity, title, message in forced + rng.sample(others, min(count - len(forced), len(others))):
                days_ago = _int(rng, 1, 400)
                active, expires = rng.random() >= 0.1 and k != 8, None
                if k == 9 or rng.random() < 0.08:  # expired, at 18:00 on a day since it was created
                    expires = self.midnight - timedelta(days=_int(rng, 1, min(days_ago, 60)), hours=-18)
                elif rng.random() < 0.08:
                    expires = self.midnight + timedelta(days=_int(rng, 1, 90), hours=18)
                yield (
                    self.tenant_id,
                    self.uid("alert", k),
                    pet.id,
                    kind,
                    severity,
                    title,
                    message,
                    active,
                    expires,
                    self.staff(rng),
                    self.midnight - timedelta(days=days_ago, hours=-10),
                )
                k += 1
        if self.live_pet is not None:  # the patient in surgery carries the warning the team reads first
            kind, (severity, title, message) = "medical", ALERTS["medical"][0]
            yield (self.tenant_id, self.uid("alert", "live"), self.live_pet.id, kind, severity, title, message,
                   True, None, self.admin_id, self.midnight - timedelta(days=30, hours=-10))

    def problems(self) -> Iterator[Record]:
        rng, k = self.rng("problems"), 0
        options: dict[str, list[tuple[uuid.UUID | None, str, bool]]] = {}
        for species in SPECIES:
            coded = [
                (self.codes[code], term, chronic)
                for code, term, only, chronic in DIAGNOSES
                if only is None or species in only
            ]
            options[species] = coded + [(None, name, False) for name in FREE_PROBLEMS]
        for pet in self.pets:
            choices = options[pet.species]  # sampled without replacement: one entry per code and pet
            for code_id, name, chronic in rng.sample(choices, min(_count(rng, self.p.problems_per_pet), len(choices))):
                onset = self.p.today - timedelta(days=_int(rng, 0, pet.age_days))
                resolved = None
                if not chronic and rng.random() < 0.5:
                    resolved = min(self.p.today, onset + timedelta(days=_int(rng, 3, 60)))
                severity = rng.choices(("mild", "moderate", "severe"), (5, 3, 1))[0]
                yield (
                    self.tenant_id,
                    self.uid("problem", k),
                    pet.id,
                    name,
                    code_id,
                    onset,
                    resolved,
                    chronic,
                    resolved is None,
                    severity,
                    self.staff(rng),
                )
                k += 1

    def surgeries(self) -> None:
        rng, k = self.rng("surgeries"), 0
        # Only the living: the database refuses an anesthesia log for a deceased pet (migration 0016).
        for pet in (p for p in self.pets if not p.deceased):
            for _ in range(_count(rng, self.p.surgeries_fraction)):
                day = self.p.today - timedelta(days=_int(rng, 2, max(2, min(540, pet.age_days))))
                self.surgery(rng, k, pet, _local(day, _int(rng, 8, 14), rng.choice((0, 15, 30, 45))), False)
                k += 1
        living = [pet for pet in self.pets if not pet.deceased]
        if living:  # one surgery under way now, for live monitoring; the README's overview lists this patient first
            self.live_pet = min(living, key=lambda pet: (str(pet.row[3]), str(pet.id)))
            n = max(3, min(self.p.vitals_per_log, 9))
            self.surgery(rng, k, self.live_pet, self.p.now - timedelta(minutes=5 * (n - 1) + 3), True)

    def surgery(self, rng: random.Random, k: int, pet: _Pet, induction: datetime, still_open: bool) -> None:
        n = max(3, min(self.p.vitals_per_log, 9)) if still_open else self.p.vitals_per_log
        vet, log_id = rng.choice(self.vet_ids), self.uid("anesthesia", k)
        castration = {"male": "Orquiectomía", "female": "Ovariohisterectomía"}.get(pet.sex)
        procedure = castration if castration and rng.random() < 0.45 else rng.choice(PROCEDURES)
        outcome = rng.choices(("normal", "complicated", "critical"), (90, 8, 2))[0]
        assessment = json.dumps(
            {
                "asa": _int(rng, 1, 3),
                "fasting_hours": _int(rng, 8, 12),
                "weight_kg": float(pet.weight),
                "body_condition": _int(rng, 3, 7),
            }
        )
        recovery = induction + timedelta(minutes=5 * max(n - 2, 2))
        extubation = recovery + timedelta(minutes=rng.choice((5, 10)))
        full = extubation + timedelta(minutes=_int(rng, 20, 60))
        completed = full + timedelta(minutes=_int(rng, 0, 15))
        complications = None if outcome == "normal" else "Hipotensión transitoria; respondió a fluidoterapia."
        record_id: uuid.UUID | None = None
        phases: tuple[object, ...] = (None,) * 6
        if not still_open:
            record_id = self.uid("surgery-record", k)
            phases = (recovery, extubation, full, complications, outcome, completed)
            self.add(
                "medical_records",
                record_id,
                pet.id,
                None,
                vet,
                "surgery",
                procedure,
                None,
                complications or "Cirugía sin complicaciones.",
                induction.date(),
            )
        self.add(
            "anesthesia_logs",
            log_id,
            pet.id,
            record_id,
            procedure,
            PROTOCOLS.get(pet.species, EXOTIC_PROTOCOL),
            assessment,
            induction,
            induction + timedelta(minutes=10),
            *phases,
            vet,
            induction - timedelta(minutes=30),
            n,
        )
        self.monitoring.append(_Monitoring(log_id, pet.species, n, induction, outcome != "normal", not still_open, vet))

    def vitals(self) -> Iterator[Record]:
        """Readings numbered 1..n per log (seq), as the log's vitals_seq says."""
        rng = self.rng("vitals")
        for k, m in enumerate(self.monitoring):
            for seq, reading in enumerate(_vitals(rng, m), start=1):
                yield (self.tenant_id, self.uid("vital", f"{k}/{seq}"), m.log_id, seq, *reading, m.vet)

    def appointments(self) -> None:
        """Each vet's day, 08:00 to 18:00, for today-3 .. today+3; slots booked at random."""
        rng, k = self.rng("appointments"), 0
        living = [pet for pet in self.pets if not pet.deceased]
        fill = min(0.75, 0.15 + self.p.pets / 500)
        busy: dict[uuid.UUID, list[tuple[datetime, datetime]]] = {rid: [] for rid in self.room_ids}
        for day in (self.p.today + timedelta(days=d) for d in range(-3, 4)):
            for v in range(len(self.vet_ids)):
                start, close = _local(day, 8), _local(day, 18)
                while living:
                    pet, booked, draws = rng.choice(living), rng.random() < fill, [rng.random() for _ in range(6)]
                    fits = [s for s, (*_, only) in enumerate(SERVICES) if only is None or pet.species in only]
                    svc = rng.choices(fits, [CATEGORY_WEIGHT[SERVICES[s][1]] for s in fits])[0]
                    end = start + timedelta(minutes=SERVICES[svc][3])
                    if end > close:
                        break
                    if booked:
                        self.appointment(rng, k, pet, v, svc, start, end, draws, busy)
                        k, start = k + 1, end
                    else:
                        start += timedelta(minutes=30)
        self.invoices()

    def appointment(
        self,
        rng: random.Random,
        k: int,
        pet: _Pet,
        v: int,
        svc: int,
        start: datetime,
        end: datetime,
        draws: list[float],
        busy: dict[uuid.UUID, list[tuple[datetime, datetime]]],
    ) -> None:
        """One visit; its room is booked by an assignment, released when the visit was completed."""
        name, category, *_ = SERVICES[svc]
        vet, appointment_id, visit = self.vet_ids[v], self.uid("appointment", k), self.visit(start, end, draws)
        room = None
        if visit.status not in ("cancelled", "no_show") and draws[5] < 0.8:
            wanted = {"surgery": [1], "imaging": [3, 0, 2]}.get(category, [0, 2] if v % 2 == 0 else [2, 0])
            free = (
                r
                for r in (self.room_ids[i] for i in wanted if i < len(self.room_ids))
                if all(end <= s or start >= e for s, e in busy[r])
            )
            room = next(free, None)
        # the same draws whatever the status, so the week's schedule depends on the date only
        reason, code, note = rng.choice(REASONS), rng.choice(DIAGNOSES)[0], rng.choice(RECORD_NOTES)
        reason = reason if category == "consultation" else name
        self.add(
            "appointments",
            appointment_id,
            pet.id,
            vet,
            self.service_ids[svc],
            start,
            end,
            visit.status,
            reason,
            self.admin_id,
            visit.checked_in,
            visit.checked_in and self.admin_id,
            visit.started,
            visit.completed,
            room if visit.completed is None else None,  # room_id mirrors the unreleased assignment
            _minutes(visit.checked_in, visit.started),
            _minutes(visit.started, visit.completed),
        )
        if room is not None:
            busy[room].append((start, end))
            assigned = visit.checked_in or min(self.p.now, start) - timedelta(days=1)
            self.add(
                "room_assignments",
                self.uid("room-assignment", k),
                appointment_id,
                room,
                self.admin_id,
                assigned,
                visit.completed,
            )
        if visit.completed is not None:
            day = visit.completed.astimezone(TZ).date()
            pet.last_visit = max(pet.last_visit or day, day)
            self.completed.append((visit.completed, k, pet, svc))
            self.add(
                "medical_records",
                self.uid("record", k),
                pet.id,
                appointment_id,
                vet,
                RECORD_TYPE.get(category, "other"),
                name,
                self.codes[code] if category == "consultation" and draws[4] < 0.4 else None,
                note,
                day,
            )

    def visit(self, start: datetime, end: datetime, d: list[float]) -> _Visit:
        """A status consistent with now; checked_in_at <= started_at <= completed_at where set."""
        now = self.p.now
        checked_in = start - timedelta(minutes=int(d[1] * 15))
        started = start + timedelta(minutes=int(d[2] * 15))
        if end <= now:
            if d[0] >= 0.8:
                return _Visit("no_show" if d[0] < 0.88 else "cancelled")
            done = max(started, min(now, started + (end - start) * (0.8 + d[3] * 0.4)))
            return _Visit("completed", checked_in, started, done.replace(second=0, microsecond=0))
        if start <= now:
            return _Visit("in_progress", checked_in, min(now, started))
        if start - now <= timedelta(minutes=20) and d[0] < 0.6:
            return _Visit("checked_in", min(now, checked_in))
        soon = start.date() <= self.p.today + timedelta(days=1)
        return _Visit("cancelled" if d[0] < 0.05 else "confirmed" if d[0] < (0.6 if soon else 0.3) else "scheduled")

    def invoices(self) -> None:
        """One invoice per completed appointment, numbered in the order they were completed."""
        rng = self.rng("invoices")
        for number, (done, k, pet, svc) in enumerate(sorted(self.completed, key=lambda c: c[:2]), start=1):
            invoice_id, (service, _, price, *_) = self.uid("invoice", k), SERVICES[svc]
            items: list[tuple[str, uuid.UUID | None, str, int, int]] = [
                ("service", self.service_ids[svc], service, 1, price)
            ]
            if rng.random() < 0.3:
                product, product_price = rng.choice(PRODUCTS)
                items.append(("product", None, product, rng.randint(1, 2), product_price))
            subtotal = sum(qty * unit for *_, qty, unit in items)
            # a courtesy discount on the visit's line; totals and IVA are the database's (prices include IVA,
            # the visit at 10 %, medicines at 5 %): these columns are recomputed from the lines
            discount = price // 10 if rng.random() < 0.12 else 0
            status = rng.choices(("paid", "sent", "partial", "draft"), (80, 12, 5, 3))[0]
            total = subtotal - discount  # prices include IVA: what the database will compute
            paid = total if status == "paid" else total // 2 if status == "partial" else 0
            issued = done.astimezone(TZ).date()
            due = issued if status == "paid" else issued + timedelta(days=30)
            self.add(
                "invoices",
                invoice_id,
                None if status == "draft" else f"001-001-{number:07d}",
                pet.owner_id,
                pet.id,
                "sent" if paid else status,  # the payments below make it partial or paid
                None if status == "draft" else issued,
                due,
                *(Decimal(x) for x in (subtotal, discount, 0, subtotal - discount)),
                "PYG",
            )
            for i, (kind, service_id, description, qty, unit) in enumerate(items):
                self.add(
                    "invoice_items",
                    self.uid("invoice-item", f"{k}/{i}"),
                    invoice_id,
                    kind,
                    service_id,
                    description,
                    Decimal(qty),
                    Decimal(unit),
                    Decimal(discount if i == 0 else 0),
                    10 if kind == "service" else 5,
                    i + 1,
                )
            if paid:
                self.add(
                    "payments",
                    self.uid("payment", k),
                    invoice_id,
                    pet.owner_id,
                    rng.choice(("cash", "card", "transfer")),
                    Decimal(paid),
                    None,
                    done,
                    self.staff(rng),
                )

    def vaccines(self) -> None:
        rng, k = self.rng("vaccines"), 0
        for pet in self.pets:
            if pet.species not in VACCINES or rng.random() >= 0.6:
                continue
            for name in rng.sample(VACCINES[pet.species], _int(rng, 1, 3)):
                given = self.p.today - timedelta(days=_int(rng, 7, min(720, max(7, pet.age_days))))
                next_dose = given + timedelta(days=365) if rng.random() < 0.85 else None  # due: the database's
                self.add(
                    "vaccines",
                    self.uid("vaccine", k),
                    pet.id,
                    name,
                    f"L{_int(rng, 10000, 99999)}",
                    given,
                    next_dose,
                    rng.choice(self.vet_ids),
                )
                k += 1

    def billing(self) -> None:
        """This month's subscription and usage; appointments and invoices are counted by the database."""
        rng, month = self.rng("billing"), self.p.today.replace(day=1)
        next_month = (month + timedelta(days=32)).replace(day=1)
        self.add(
            "tenant_subscriptions",
            self.uid("subscription", 0),
            "pro",
            "active",
            _local(month, 0),
            _local(next_month, 0),
        )
        self.add(
            "tenant_usage",
            self.uid("usage", month.isoformat()),
            month,
            next_month,
            rng.randint(50, 400),
            rng.randint(100, 900),
            rng.randint(200, 2000),
            rng.randint(10**8, 10**10),
            len(self.vet_ids) + 1,
        )


# Ids of generated clinics beyond the named ones (a smaller reload removes the extra ones).
DEMO_ID_PATTERN = "^clinica-demo-[0-9]+$"


def _venom_codes() -> list[tuple[uuid.UUID, str, str, list[str] | None]]:
    """The shared VeNom codes the demo uses, with ids any loader derives alike."""
    return [
        (uuid.uuid5(NAMESPACE, f"venom/{code}"), code, term, list(species) if species else None)
        for code, term, species, _ in DIAGNOSES
    ]


async def load_demo(
    url: str,
    *,
    clinics: int = 3,
    pets: int = 60,
    progress: bool = True,
    alerts_per_pet: float = ALERTS_PER_PET,
    problems_per_pet: float = PROBLEMS_PER_PET,
    surgeries_fraction: float = SURGERIES_FRACTION,
    vitals_per_log: int = VITALS_PER_LOG,
) -> DemoSummary:
    """Replace the demo clinics, `pets` pets each, in one transaction (superuser or BYPASSRLS login)."""
    if min(clinics, pets, alerts_per_pet, problems_per_pet, surgeries_fraction) < 0 or vitals_per_log < 1:
        raise ValueError("counts must not be negative and vitals_per_log must be at least 1")
    params = _Params(
        pets,
        alerts_per_pet,
        problems_per_pet,
        surgeries_fraction,
        vitals_per_log,
        datetime.now(TZ).replace(second=0, microsecond=0),
    )
    summary = DemoSummary([])
    conn = await asyncpg.connect(url)
    try:
        with tqdm(total=2 + clinics * (3 + len(COPIED)), disable=not progress, unit="step") as bar:
            async with conn.transaction():
                superuser, bypasses_rls = await store.login_powers(conn)
                if not (superuser or bypasses_rls):
                    raise PermissionError("load_demo needs a superuser or BYPASSRLS login: tables FORCE RLS")
                bar.set_description("removing earlier demo")
                await store.delete_clinics(conn, [n[0] for n in NAMED_CLINICS], DEMO_ID_PATTERN, superuser=superuser)
                bar.update()
                bar.set_description("diagnosis_codes")
                codes = await store.venom_codes(conn, _venom_codes())
                summary.diagnosis_codes = len(codes)
                bar.update()
                db = ConnectionDb(conn)
                for index in range(clinics):
                    clinic = _Clinic(index, params, codes)
                    bar.set_description(f"{clinic.tenant_id}: opening, staffing")
                    await clinic.onboard_staff(db)
                    bar.update()
                    bar.set_description(f"{clinic.tenant_id}: generating")
                    clinic.build()
                    bar.update()
                    bar.set_description(f"{clinic.tenant_id}: clients and patients")
                    await clinic.register(db)
                    bar.update()
                    for table in COPIED:
                        bar.set_description(f"{clinic.tenant_id}: {table}")
                        await store.copy_rows(conn, table, clinic.records(table), COLUMNS[table])
                        bar.update()
                    await store.set_last_visits(conn, clinic.tenant_id)
                    summary.clinics.append(clinic.summary())
    finally:
        await conn.close()
    return summary
