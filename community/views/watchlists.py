"""Placeholder until the feature lands."""

from django.http import Http404


def public_lists(request, *args, **kwargs):
    raise Http404


def my_lists(request, *args, **kwargs):
    raise Http404


def watchlist_create(request, *args, **kwargs):
    raise Http404


def watchlist_detail(request, *args, **kwargs):
    raise Http404


def watchlist_edit(request, *args, **kwargs):
    raise Http404


def watchlist_delete(request, *args, **kwargs):
    raise Http404


def watchlist_export(request, *args, **kwargs):
    raise Http404


def item_update(request, *args, **kwargs):
    raise Http404


def item_move(request, *args, **kwargs):
    raise Http404


def item_remove(request, *args, **kwargs):
    raise Http404


def watchlist_add(request, *args, **kwargs):
    raise Http404
