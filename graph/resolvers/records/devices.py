"""Push-notification devices: register, touch and deactivate the caller's devices; list them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated
from uuid import UUID

import strawberry

from db import records as sql
from db.session import RequestDb, Row
from domain.problems import Problem
from domain.records import validation as v
from domain.records.errors import RecordsErrorCode as Code
from graph.compiled import roots as compiled
from graph.mutations import Info, Write
from graph.permissions import clinic_of
from graph.resolvers.records.inputs import RECORDS, camel, clean
from graph.types.devices import UserDevice
from graph.types.records_mutations import DeviceInput, RegisterDeviceInput, UserDevicePayload

MAX_DEVICES = 50
_NO_SUCH_DEVICE = Problem("deviceId", Code.NOT_FOUND, "No such device.")
# The caller's profile does not exist in the clinic (a token for someone not, or no longer, there).
_NOT_A_MEMBER = {"user_devices_tenant_id_user_id_fkey": Problem("fcmToken", Code.NOT_FOUND, "No such device.")}


def _saved(w: Write[Code], row: Row) -> UserDevicePayload:
    w.prime("UserDevice", row["id"], row)
    return UserDevicePayload(device=UserDevice.from_row(row))


async def register_device(
    info: Info, input: Annotated[RegisterDeviceInput, strawberry.argument(description="The device and its token.")]
) -> UserDevicePayload:
    """Register the caller's device for push notifications, or refresh it. Any member of a clinic."""
    token = input.fcm_token.strip()
    problems = v.text_input("fcmToken", token, max_len=v.MAX_TOKEN, required=True)
    for name in ("device_name", "device_model", "os_version", "app_version"):
        problems += v.text_input(camel(name), getattr(input, name), max_len=v.MAX_DEVICE_FIELD)
    values = {
        "fcm_token": token,
        "device_type": input.device_type.value if input.device_type else None,
        **{name: clean(getattr(input, name)) for name in ("device_name", "device_model", "os_version", "app_version")},
    }

    async def perform(w: Write[Code]) -> UserDevicePayload:
        row = await sql.register_device(w.db, values)
        if row is None:
            w.refuse(Problem("fcmToken", Code.NOT_FOUND, "No such device."))
        return _saved(w, row)

    return await RECORDS.run(info, UserDevicePayload, perform, problems=problems, constraints=_NOT_A_MEMBER)


async def _changed(
    info: Info, global_id: str, change: Callable[[RequestDb, str, UUID], Awaitable[Row | None]]
) -> UserDevicePayload:
    """`change` one of the caller's devices (RLS: only theirs are visible)."""
    device = RECORDS.id(global_id, "UserDevice", "deviceId")

    async def perform(w: Write[Code]) -> UserDevicePayload:
        assert isinstance(device, UUID)
        row = await change(w.db, w.tenant, device)
        if row is None:
            w.refuse(_NO_SUCH_DEVICE)
        return _saved(w, row)

    problems = [] if isinstance(device, UUID) else [_NO_SUCH_DEVICE]  # not a device's ID: no such device
    return await RECORDS.run(info, UserDevicePayload, perform, problems=problems)


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
    return await compiled.listed(info, sql.my_device_list(clinic_of(info), active_only, MAX_DEVICES), UserDevice)
