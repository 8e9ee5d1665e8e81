"""What the page cache must forget when the catalog changes: every page visitors get from it,
and the fragments kept under CATALOG_VERSION (foundation/page_cache.py). Connected in
CatalogConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model
from django.db.models.signals import m2m_changed
from simple_history.models import HistoricalChanges

from foundation import page_cache

# Everything curators edit: releases, videos, members, credits, themes, tie-ins, links…
CATALOG_VERSION = "catalog"


def connect_signals() -> None:
    """Every catalog model (not its history), and the catalog's many-to-many links."""
    for model in apps.get_app_config("catalog").get_models():
        if not issubclass(model, HistoricalChanges):
            page_cache.watch(model, versions=(CATALOG_VERSION,))
    m2m_changed.connect(_m2m_changed, dispatch_uid="page_cache_m2m")


def _m2m_changed(
    sender: type[Model], action: str, using: str = DEFAULT_DB_ALIAS, **kwargs: Any
) -> None:
    if sender._meta.app_label == "catalog" and action.startswith("post_"):
        page_cache.content_changed(using)
        page_cache.version_changed(CATALOG_VERSION, using)
