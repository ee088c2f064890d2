"""A user's push-notification devices."""

from __future__ import annotations

from datetime import datetime

import strawberry

from db.session import Row
from graph.types.enums import DeviceType
from graph.types.node import Node, to_global_id


@strawberry.type(description="A phone or browser that receives the user's push notifications.")
class UserDevice(Node):
    device_type: DeviceType | None = strawberry.field(description="Platform.")
    device_name: str | None = strawberry.field(description="Name the user gave it.")
    device_model: str | None = strawberry.field(description="Hardware model.")
    os_version: str | None = strawberry.field(description="Operating system version.")
    app_version: str | None = strawberry.field(description="Version of the VetQL client app.")
    is_active: bool = strawberry.field(
        description="Receives pushes: not deactivated and used within the last 270 days."
    )
    last_used_at: datetime = strawberry.field(description="When the app last reported in from it.")
    created_at: datetime = strawberry.field(description="When it was first registered.")

    @classmethod
    def from_row(cls, row: Row) -> UserDevice:
        return cls(
            id=to_global_id("UserDevice", row["id"]),
            device_type=DeviceType(row["device_type"]) if row["device_type"] else None,
            device_name=row["device_name"],
            device_model=row["device_model"],
            os_version=row["os_version"],
            app_version=row["app_version"],
            is_active=row["active_now"],
            last_used_at=row["last_used_at"],
            created_at=row["created_at"],
        )
