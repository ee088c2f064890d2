"""Payments against issued invoices and refunds against payments; the balance is the database's."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from uuid import UUID

import strawberry

from db import till as sql
from domain.problems import Problem
from domain.till import rules
from domain.till.errors import TillErrorCode as Code
from graph.mutations import Info, Write
from graph.resolvers.till import TILL
from graph.types.till import Invoice, Payment, Refund
from graph.types.till_mutations import PaymentPayload, RecordPaymentInput, RefundPayload, RefundPaymentInput


async def record_payment(
    info: Info, input: Annotated[RecordPaymentInput, strawberry.argument(description="The payment.")]
) -> PaymentPayload:
    """Record money received (cash, card, transfer) against an issued invoice; never more than its balance, also
    when payments arrive at once (the database judges each against the others). Staff only."""
    invoice = TILL.id(input.invoice_id, "Invoice", "invoiceId")
    problems = [invoice] if isinstance(invoice, Problem) else []
    problems += rules.guaranies("amount", input.amount, positive=True)
    problems += rules.words("reference", input.reference, most=100)

    async def perform(w: Write[Code]) -> PaymentPayload:
        assert isinstance(invoice, UUID)
        row = await sql.invoice(w.db, w.tenant, invoice)
        if row is None:
            w.refuse(Problem("invoiceId", Code.NOT_FOUND, "No such invoice."))
        if row["status"] == "void":
            w.refuse(Problem("invoiceId", Code.INVOICE_VOID, "The invoice is void: it takes no payments."))
        if row["status"] not in rules.PAYABLE:
            w.refuse(Problem("invoiceId", Code.NOT_PAYABLE, f"The invoice is {row['status']}: nothing is due."))
        if input.amount > row["balance_due"]:
            w.refuse(Problem("amount", Code.OVERPAYMENT, f"The balance due is {row['balance_due']} PYG."))
        payment = await sql.insert_payment(w.db, w.tenant, w.by, row, {
            "method": input.method.value, "amount": input.amount, "reference": input.reference,
            "received_at": input.received_at,
        })  # fmt: skip
        after = await sql.invoice(w.db, w.tenant, invoice)
        assert after is not None
        w.prime("Invoice", invoice, after)
        w.forget("Payment")
        return PaymentPayload(payment=Payment.from_row(payment), invoice=Invoice.from_row(after))

    return await TILL.run(info, PaymentPayload, perform, problems=problems)


async def refund_payment(
    info: Info, input: Annotated[RefundPaymentInput, strawberry.argument(description="The refund.")]
) -> RefundPayload:
    """Give money back against a payment, at most what is left of it; the invoice owes that again. Staff only."""
    payment_id = TILL.id(input.payment_id, "Payment", "paymentId")
    problems = [payment_id] if isinstance(payment_id, Problem) else []
    problems += rules.guaranies("amount", input.amount, positive=True)
    problems += rules.words("reason", input.reason, most=500)

    async def perform(w: Write[Code]) -> RefundPayload:
        assert isinstance(payment_id, UUID)
        payment = await sql.payment(w.db, w.tenant, payment_id)
        if payment is None:
            w.refuse(Problem("paymentId", Code.NOT_FOUND, "No such payment."))
        left = Decimal(payment["amount"]) - Decimal(payment["refunded_amount"])
        if input.amount > left:
            w.refuse(Problem("amount", Code.REFUND_EXCEEDS_PAYMENT, f"{left} PYG of the payment is left to refund."))
        refund = await sql.insert_refund(w.db, w.tenant, w.by, payment, input.amount, input.reason)
        after = await sql.payment(w.db, w.tenant, payment_id)
        invoice = await sql.invoice(w.db, w.tenant, payment["invoice_id"])
        assert after is not None and invoice is not None
        w.prime("Invoice", invoice["id"], invoice)
        w.prime("Payment", payment_id, after)
        w.forget("Refund")
        return RefundPayload(
            refund=Refund.from_row(refund), payment=Payment.from_row(after), invoice=Invoice.from_row(invoice)
        )

    return await TILL.run(info, RefundPayload, perform, problems=problems)
