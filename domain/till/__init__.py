"""The till: catalogue, invoices, payments."""
