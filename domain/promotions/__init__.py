"""Promotions: discount codes a clinic hands out, and the rules for applying them."""
