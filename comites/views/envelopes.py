"""The envelopes of a year: each funder's whole envelope and its split by pilier, against what
its grants engage."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from contratville.permissions import permission_required
from contratville.tabular import parse_amount
from funding.envelope_services import envelope_remove, envelope_set
from funding.models import Envelope
from funding.selectors import envelope_usage
from projects.models import Funder, Pillar

from .base import YEARS, error_text

# Envelopes ------------------------------------------------------------------------------------------


@permission_required("funding.view_envelope")
def envelopes(request, year: int):
    if year not in YEARS:
        raise Http404("Année hors des limites du programme.")
    funders = list(Funder.objects.filter(is_active=True).order_by("order", "code"))
    pillars = list(Pillar.objects.order_by("order", "code"))
    stored = {(e.funder_id, e.pillar_id): e for e in Envelope.objects.filter(year_id=year)}
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    can_change = request.user.has_perm("funding.change_envelope") and request.user.has_perm(
        "funding.add_envelope"
    )
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        typed = {key: value for key, value in request.POST.items() if key.startswith("enveloppe-")}
        try:
            with transaction.atomic():
                _save_envelopes(request, year, funders, pillars, stored, typed, errors)
                if errors:
                    raise ValidationError("")
        except ValidationError:
            pass
        else:
            messages.success(request, f"Les enveloppes {year} sont enregistrées.")
            return redirect(reverse("comites:envelopes", args=[year]))
    usages = {u.funder_id: u for u in envelope_usage(year, funder_ids={f.pk for f in funders})}
    rows = []
    for f in funders:
        cells = []
        for pillar in [None, *pillars]:
            key = f"enveloppe-{f.pk}-{pillar.pk if pillar else 'total'}"
            envelope = stored.get((f.pk, pillar.pk if pillar else None))
            cells.append(
                {
                    "name": key,
                    "pillar": pillar,
                    "value": typed.get(key) if key in typed else envelope.amount if envelope else None,
                    "typed": key in typed,
                    "error": errors.get(key, ""),
                }
            )
        rows.append({"funder": f, "cells": cells, "usage": usages.get(f.pk)})
    return render(
        request,
        "comites/envelopes.html",
        {"year": year, "rows": rows, "pillars": pillars, "can_change": can_change, "errors": errors},
        status=400 if errors else 200,
    )


def _save_envelopes(request, year, funders, pillars, stored, typed, errors) -> None:
    """Every envelope typed on the page, the whole ones first (a split needs them)."""
    for pillar in [None, *pillars]:
        for f in funders:
            key = f"enveloppe-{f.pk}-{pillar.pk if pillar else 'total'}"
            raw = (typed.get(key) or "").strip()
            envelope = stored.get((f.pk, pillar.pk if pillar else None))
            where = f"{f.label}" + (f", {pillar.label}" if pillar else "")
            if not raw:
                if envelope is not None and pillar is not None:
                    envelope_remove(envelope=envelope, user=request.user)
                continue
            try:
                amount: Decimal = parse_amount(raw)
                envelope_set(funder=f, year=year, amount=amount, pillar=pillar, user=request.user)
            except ValueError as error:
                errors[key] = f"{where} : {error}."
            except ValidationError as error:
                errors[key] = f"{where} : {error_text(error)}"
    # Whole envelopes emptied last: their split went first.
    for f in funders:
        key = f"enveloppe-{f.pk}-total"
        envelope = stored.get((f.pk, None))
        if envelope is not None and not (typed.get(key) or "").strip() and key not in errors:
            if Envelope.objects.filter(funder=f, year_id=year, pillar__isnull=False).exists():
                errors[key] = f"{f.label} : videz d'abord sa répartition par pilier."
            else:
                envelope_remove(envelope=envelope, user=request.user)
