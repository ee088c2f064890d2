"""Alarm thresholds: defaults for dogs and cats, and each clinic's overrides.

Defaults follow the monitoring targets of the ACVAA Small Animal Anesthesia and
Sedation Monitoring Guidelines 2025 (Bailey et al., Vet Anaesth Analg,
doi:10.1016/j.vaa.2025.03.015) and the 2020 AAHA Anesthesia and Monitoring
Guidelines for Dogs and Cats (Grubb et al., JAAHA 56:59-82,
doi:10.5326/JAAHA-MS-7055), with the anesthetized target ranges tabulated in
Today's Veterinary Practice (Jan-Feb 2012, "Anesthetic monitoring", table 2:
heart rate dog 60-120 and cat 120-160 /min, systolic 90-140 and MAP 70-90 mmHg,
EtCO2 35-45 mmHg, SpO2 >= 95 %, temperature 36.7-38.3 C). Where a guideline
gives a target range rather than an alarm limit, the limit below is VetQL's
choice, set just outside the range to avoid alarm fatigue; README lists each.
A clinic overrides any of them per species in `tenants.alarm_thresholds`,
e.g. {"dog": {"heart_rate_low": 55}, "*": {"spo2_warning": 94}}.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# name -> default for every species; species and size adjust heart rate below.
DEFAULTS: dict[str, float] = {
    "spo2_critical": 90,  # SpO2 below: severe hypoxemia
    "spo2_warning": 95,  # SpO2 below: hypoxemia
    "map_critical": 50,  # MAP below: severe hypotension
    "map_warning": 60,  # MAP below: hypotension (ACVAA/AAHA: keep MAP >= 60)
    "sap_critical": 80,  # systolic below: severe hypotension
    "sap_warning": 90,  # systolic below: hypotension (keep SAP >= 90)
    "etco2_warning": 45,  # EtCO2 above: hypercapnia (target 35-45)
    "etco2_critical": 60,  # EtCO2 above: severe hypercapnia
    "temp_mild": 37.0,  # C below: mild hypothermia
    "temp_moderate": 36.0,  # C below: moderate hypothermia
    "temp_severe": 34.0,  # C below: severe hypothermia
}

# Heart rate limits (/min) outside the anesthetized targets (dog 60-120, cat 120-160);
# small dogs run faster, large dogs slower.
HEART_RATE: dict[str, tuple[float, float]] = {
    "dog_small": (70, 180),  # under 10 kg
    "dog_medium": (60, 160),
    "dog_large": (50, 140),  # 25 kg and over
    "cat": (100, 220),
}

KNOWN = frozenset(DEFAULTS) | {"heart_rate_low", "heart_rate_high"}


def _size_class(species: str, weight_kg: float | None) -> str | None:
    if species == "cat":
        return "cat"
    if species == "dog":
        if weight_kg is not None and weight_kg < 10:
            return "dog_small"
        if weight_kg is not None and weight_kg >= 25:
            return "dog_large"
        return "dog_medium"
    return None


def validate_overrides(value: Any) -> list[str]:
    """Problems with a clinic's override document; empty when it is well formed."""
    if not isinstance(value, Mapping):
        return ["must be an object of species to thresholds"]
    problems = []
    for species, limits in value.items():
        if not isinstance(limits, Mapping):
            problems.append(f"{species}: must be an object")
            continue
        for name, number in limits.items():
            if name not in KNOWN:
                problems.append(f"{species}.{name}: unknown threshold")
            elif not isinstance(number, int | float) or isinstance(number, bool) or not 0 <= number <= 500:
                problems.append(f"{species}.{name}: must be a number from 0 to 500")
    return problems


def thresholds_for(species: str, weight_kg: float | None, overrides: Mapping[str, Any]) -> dict[str, float]:
    """The limits that apply to one patient: defaults, then the clinic's '*' and species overrides."""
    limits = dict(DEFAULTS)
    size = _size_class(species, weight_kg)
    if size is not None:
        limits["heart_rate_low"], limits["heart_rate_high"] = HEART_RATE[size]
    for scope in ("*", species):
        for name, number in (overrides.get(scope) or {}).items():
            if name in KNOWN:
                limits[name] = float(number)
    return limits
