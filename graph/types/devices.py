"""A user's push-notification devices."""

from __future__ import annotations

from datetime import datetime

import strawberry

from db.expressions import DEVICE_IS_ACTIVE
from graph.table import TableRow, col, computed, table
from graph.types.enums import DeviceType
from graph.types.node import Node


@table("user_devices")
@strawberry.type(description="A phone or browser that receives the user's push notifications.")
class UserDevice(Node, TableRow):
    device_type: DeviceType | None = col(description="Platform.")
    device_name: str | None = col(description="Name the user gave it.")
    device_model: str | None = col(description="Hardware model.")
    os_version: str | None = col(description="Operating system version.")
    app_version: str | None = col(description="Version of the VetQL client app.")
    is_active: bool = computed(
        DEVICE_IS_ACTIVE, description="Receives pushes: not deactivated and used within the last 270 days."
    )
    last_used_at: datetime = col(description="When the app last reported in from it.")
    created_at: datetime = col(description="When it was first registered.")
