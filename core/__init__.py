"""Shared by every app, importing none: Vietnamese text, slugs, translated fields, search words."""
