"""What the clinic sells: services and products (price in PYG, IVA rate, active), and its invoice settings."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import strawberry

from db import till as sql
from db.session import Row
from domain.problems import Problem
from domain.till import rules
from domain.till.errors import TillErrorCode as Code
from graph.compiled import roots as compiled
from graph.errors import BadUserInput
from graph.mutations import Info, Write
from graph.permissions import clinic_of
from graph.resolvers.till import TILL
from graph.types.till import InvoiceSettings, Product, Service
from graph.types.till_mutations import (
    CreateProductInput,
    CreateServiceInput,
    InvoiceSettingsPayload,
    ProductPayload,
    ServicePayload,
    UpdateInvoiceSettingsInput,
    UpdateProductInput,
    UpdateServiceInput,
)

MAX_SEARCH = 100
Search = Annotated[str | None, strawberry.argument(description="Part of the name.")]
ActiveOnly = Annotated[bool, strawberry.argument(description="Only what is offered now.")]


def _search(search: str | None) -> str | None:
    if search and len(search) > MAX_SEARCH:
        raise BadUserInput(f"search: at most {MAX_SEARCH} characters")
    return search


async def services(info: Info, search: Search = None, active_only: ActiveOnly = False) -> list[Service]:
    """The clinic's services by name. Staff only."""
    listing = sql.catalogue_list("service", clinic_of(info), _search(search), active_only)
    return await compiled.listed(info, listing, Service)


async def products(info: Info, search: Search = None, active_only: ActiveOnly = False) -> list[Product]:
    """The clinic's products by name. Staff only."""
    listing = sql.catalogue_list("product", clinic_of(info), _search(search), active_only)
    return await compiled.listed(info, listing, Product)


def _service(w: Write[Code], row: Row) -> ServicePayload:
    w.prime("Service", row["id"], row)
    return ServicePayload(service=Service.from_row(row))


def _product(w: Write[Code], row: Row) -> ProductPayload:
    w.prime("Product", row["id"], row)
    return ProductPayload(product=Product.from_row(row))


async def create_service(
    info: Info, input: Annotated[CreateServiceInput, strawberry.argument(description="The service.")]
) -> ServicePayload:
    """Add a service to the catalogue."""
    values = {
        "name": input.name.strip(),
        "category": input.category.value,
        "description": input.description,
        "base_price": input.price,
        "duration_minutes": input.duration_minutes,
        "iva_rate": input.iva_rate,
        "is_active": input.is_active,
    }
    problems = rules.catalogue_entry(input.name, input.price, input.iva_rate, input.duration_minutes)

    async def perform(w: Write[Code]) -> ServicePayload:
        return _service(w, await sql.insert_catalogue(w.db, "service", w.tenant, values))

    return await TILL.run(info, ServicePayload, perform, problems=problems)


async def update_service(
    info: Info, input: Annotated[UpdateServiceInput, strawberry.argument(description="The service and changes.")]
) -> ServicePayload:
    """Change a service; its price applies to lines added from now on."""
    service = TILL.id(input.service_id, "Service", "serviceId")
    problems = [service] if isinstance(service, Problem) else []
    problems += rules.catalogue_entry(input.name, input.price, input.iva_rate, input.duration_minutes)

    async def perform(w: Write[Code]) -> ServicePayload:
        assert isinstance(service, UUID)
        row = await sql.catalogue_item(w.db, "service", w.tenant, service, lock=True)
        if row is None:
            w.refuse(Problem("serviceId", Code.NOT_FOUND, "No such service."))
        values: dict[str, Any] = {c: row[c] for c in sql.SERVICE_COLUMNS}
        for field, column in (("name", "name"), ("price", "base_price"), ("duration_minutes", "duration_minutes"),
                              ("iva_rate", "iva_rate"), ("is_active", "is_active")):  # fmt: skip
            if getattr(input, field) is not None:
                values[column] = getattr(input, field)
        if input.category is not None:
            values["category"] = input.category.value
        if input.description is not strawberry.UNSET:
            values["description"] = input.description
        return _service(w, await sql.update_catalogue(w.db, "service", w.tenant, service, values))

    return await TILL.run(info, ServicePayload, perform, problems=problems)


async def create_product(
    info: Info, input: Annotated[CreateProductInput, strawberry.argument(description="The product.")]
) -> ProductPayload:
    """Add a product to the catalogue."""
    values = {
        "name": input.name.strip(),
        "sku": input.sku,
        "category": input.category.value,
        "price": input.price,
        "iva_rate": input.iva_rate,
        "is_active": input.is_active,
    }
    problems = rules.catalogue_entry(input.name, input.price, input.iva_rate) + rules.words("sku", input.sku, most=64)

    async def perform(w: Write[Code]) -> ProductPayload:
        return _product(w, await sql.insert_catalogue(w.db, "product", w.tenant, values))

    return await TILL.run(info, ProductPayload, perform, problems=problems)


async def update_product(
    info: Info, input: Annotated[UpdateProductInput, strawberry.argument(description="The product and changes.")]
) -> ProductPayload:
    """Change a product; its price applies to lines added from now on."""
    product = TILL.id(input.product_id, "Product", "productId")
    problems = [product] if isinstance(product, Problem) else []
    problems += rules.catalogue_entry(input.name, input.price, input.iva_rate)
    if isinstance(input.sku, str):
        problems += rules.words("sku", input.sku, most=64)

    async def perform(w: Write[Code]) -> ProductPayload:
        assert isinstance(product, UUID)
        row = await sql.catalogue_item(w.db, "product", w.tenant, product, lock=True)
        if row is None:
            w.refuse(Problem("productId", Code.NOT_FOUND, "No such product."))
        values: dict[str, Any] = {c: row[c] for c in sql.PRODUCT_COLUMNS}
        for field in ("name", "price", "iva_rate", "is_active"):
            if getattr(input, field) is not None:
                values[field] = getattr(input, field)
        if input.category is not None:
            values["category"] = input.category.value
        if input.sku is not strawberry.UNSET:
            values["sku"] = input.sku
        return _product(w, await sql.update_catalogue(w.db, "product", w.tenant, product, values))

    return await TILL.run(info, ProductPayload, perform, problems=problems)


def settings_of(row: Row | None) -> InvoiceSettings:
    if row is None:
        return InvoiceSettings(prices_include_iva=True, ruc=None, legal_name=None, timbrado=None,
                               timbrado_valid_until=None, establishment="001", point_of_sale="001")  # fmt: skip
    return InvoiceSettings(**{c: row[c] for c in sql.SETTINGS_COLUMNS})


async def invoice_settings(info: Info) -> InvoiceSettings:
    """How the clinic invoices (defaults until an admin sets them). Staff only."""
    return settings_of(await sql.settings(info.context.db, clinic_of(info)))


async def update_invoice_settings(
    info: Info, input: Annotated[UpdateInvoiceSettingsInput, strawberry.argument(description="What changes.")]
) -> InvoiceSettingsPayload:
    """Set whether prices include IVA, the clinic's RUC, timbrado and numbering codes. Admin only."""
    problems = rules.settings(
        input.ruc or None, input.timbrado or None, input.establishment, input.point_of_sale
    ) + rules.words("legalName", input.legal_name or None, most=200)

    async def perform(w: Write[Code]) -> InvoiceSettingsPayload:
        current = settings_of(await sql.settings(w.db, w.tenant))
        values = {c: getattr(current, c) for c in sql.SETTINGS_COLUMNS}
        for name in ("prices_include_iva", "establishment", "point_of_sale"):
            if getattr(input, name) is not None:
                values[name] = getattr(input, name)
        for name in ("ruc", "legal_name", "timbrado", "timbrado_valid_until"):
            if getattr(input, name) is not strawberry.UNSET:
                values[name] = getattr(input, name)
        return InvoiceSettingsPayload(settings=settings_of(await sql.save_settings(w.db, w.tenant, values)))

    return await TILL.run(info, InvoiceSettingsPayload, perform, problems=problems)
