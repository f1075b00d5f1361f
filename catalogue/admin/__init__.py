"""The catalogue's admin; certification and registry extend the product page (their admin.py)."""

from . import categories, producers, products

__all__ = ["categories", "producers", "products"]
