"""The catalogue's admin; certification and registry extend the product page (their admin.py).
The catalogue extends the sources app's official figures with the reconciliation report."""

from . import categories, producers, products, reconciliation

__all__ = ["categories", "producers", "products", "reconciliation"]
