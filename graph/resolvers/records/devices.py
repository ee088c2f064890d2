"""Push-notification devices: register, touch and deactivate the caller's devices; list them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from uuid import UUID

import strawberry

from db import records as sql
from db.session import RequestDb, Row
from domain.records import validation as v
from domain.records.errors import RecordsErrorCode as Code
from domain.records.validation import Problem
from graph.resolvers.records.inputs import Info, camel, clean, errors, uuid
from graph.resolvers.user_errors import tenant_of
from graph.types.devices import UserDevice
from graph.types.records_mutations import DeviceInput, RegisterDeviceInput, UserDevicePayload

MAX_DEVICES = 50


def _device_payload(row: Any, field: str = "deviceId") -> UserDevicePayload:
    if row is None:
        return UserDevicePayload(device=None, user_errors=errors([Problem(field, Code.NOT_FOUND, "No such device.")]))
    return UserDevicePayload(device=UserDevice.from_row(row), user_errors=[])


async def register_device(
    info: Info, input: Annotated[RegisterDeviceInput, strawberry.argument(description="The device and its token.")]
) -> UserDevicePayload:
    """Register the caller's device for push notifications, or refresh it. Any member of a clinic."""
    token = input.fcm_token.strip()
    problems = v.text("fcmToken", token, max_len=v.MAX_TOKEN, required=True)
    for name in ("device_name", "device_model", "os_version", "app_version"):
        problems += v.text(camel(name), getattr(input, name), max_len=v.MAX_DEVICE_FIELD)
    if problems:
        return UserDevicePayload(device=None, user_errors=errors(problems))
    values = {
        "fcm_token": token,
        "device_type": input.device_type.value if input.device_type else None,
        **{name: clean(getattr(input, name)) for name in ("device_name", "device_model", "os_version", "app_version")},
    }
    try:
        row = await sql.register_device(info.context.db, values)
    except sql.ConstraintViolation:  # the caller's profile does not exist in the clinic
        return _device_payload(None, "fcmToken")
    await info.context.db.commit()
    return _device_payload(row, "fcmToken")


async def _changed(
    info: Info, global_id: str, change: Callable[[RequestDb, str, UUID], Awaitable[Row | None]]
) -> UserDevicePayload:
    """`change` one of the caller's devices; committed if it was theirs."""
    device = uuid(global_id, "UserDevice", "deviceId")
    row = None if isinstance(device, Problem) else await change(info.context.db, tenant_of(info), device)
    if row is not None:
        await info.context.db.commit()
    return _device_payload(row)


async def touch_device(
    info: Info, input: Annotated[DeviceInput, strawberry.argument(description="The caller's device.")]
) -> UserDevicePayload:
    """Record that the app was used on this device now (keeps it active)."""
    return await _changed(info, input.device_id, sql.touch_device)


async def deactivate_device(
    info: Info, input: Annotated[DeviceInput, strawberry.argument(description="The caller's device.")]
) -> UserDevicePayload:
    """Stop pushes to this device (e.g. on sign-out). Registering the token again reactivates it."""
    return await _changed(info, input.device_id, sql.deactivate_device)


async def my_devices(
    info: Info,
    active_only: Annotated[bool, strawberry.argument(description="Only devices that receive pushes.")] = False,
) -> list[UserDevice]:
    """The caller's devices, most recently used first."""
    rows = await sql.my_devices(info.context.db, tenant_of(info), active_only, MAX_DEVICES)
    return [UserDevice.from_row(r) for r in rows]
