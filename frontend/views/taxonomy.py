"""Taxonomy pages for curators: the versions, one version's tree (significance, location and type groups, hotkeys),
and for a draft: add, rename, move and hotkey edits, the diff against the published version, and publish.

Every change goes through `curation.services.taxonomy`, so the page refuses what the API refuses (a published
version, a taken hotkey, a cycle, an unknown parent) with the same words; a refused form keeps its input.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.decorators import role_required
from core.roles import CURATOR
from curation.models import Taxonomy, Trait
from curation.selectors.taxonomy import taxonomy_base, taxonomy_diff, taxonomy_list, taxonomy_tree
from curation.services.taxonomy import taxonomy_clone, taxonomy_publish, trait_create, trait_update
from frontend.forms import form_add_refusal
from frontend.forms.taxonomy import TraitAddForm, TraitEditForm


def _flat(nodes: list[dict], depth: int = 0) -> list[dict]:
    """The nested tree as rows in reading order, each with its depth and its parent's code."""
    rows = []
    for node in nodes:
        rows.append({**node, "depth": depth, "location": [g["name"] for g in node["groups"] if g["kind"] == "location"],
                     "type": [g["name"] for g in node["groups"] if g["kind"] == "type"]})
        for child in node["children"]:
            child["parent"] = node["code"]
        rows.extend(_flat(node["children"], depth + 1))
    return rows


@role_required(CURATOR)
def taxonomy_versions(request):
    return render(request, "frontend/taxonomy/versions.html", {"versions": taxonomy_list()})


def _detail(request, taxonomy: Taxonomy, *, add_form=None, failed: tuple[int, TraitEditForm] | None = None,
            status: int = 200):
    rows = _flat(taxonomy_tree(taxonomy=taxonomy)["traits"])
    codes = [r["code"] for r in rows]
    draft = not taxonomy.is_published
    if draft:
        for row in rows:
            if failed and failed[0] == row["id"]:
                row["form"] = failed[1]
            else:
                row["form"] = TraitEditForm(codes=[c for c in codes if c != row["code"]], prefix=f"t{row['id']}",
                                            initial={"name": row["name"], "parent": row.get("parent") or "",
                                                     "hotkey": row["hotkey"]})
    base = taxonomy_base(taxonomy=taxonomy)
    return render(request, "frontend/taxonomy/version.html", {
        "taxonomy": taxonomy, "rows": rows, "draft": draft, "base": base,
        "diff": taxonomy_diff(base=base, other=taxonomy) if base else None,
        "add_form": add_form or (TraitAddForm(codes=codes) if draft else None),
    }, status=status)


@role_required(CURATOR)
def taxonomy_version(request, taxonomy_id: int):
    return _detail(request, get_object_or_404(Taxonomy, pk=taxonomy_id))


@role_required(CURATOR)
@require_POST
def taxonomy_version_clone(request, taxonomy_id: int):
    source = get_object_or_404(Taxonomy, pk=taxonomy_id)
    draft = taxonomy_clone(taxonomy=source)
    messages.info(request, f"Draft {draft.name} v{draft.version}, cloned from v{source.version}, is ready to edit.")
    return redirect("taxonomy-version", taxonomy_id=draft.pk)


@role_required(CURATOR)
@require_POST
def taxonomy_version_publish(request, taxonomy_id: int):
    taxonomy = get_object_or_404(Taxonomy, pk=taxonomy_id)
    try:
        taxonomy_publish(taxonomy=taxonomy)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.info(request, f"{taxonomy.name} v{taxonomy.version} is published; campaigns can use it now.")
    return redirect("taxonomy-version", taxonomy_id=taxonomy.pk)


def _applied(form, service) -> bool:
    """Run the service on a valid form; False (with the refusal on the form) when the form or the service says no."""
    if not form.is_valid():
        return False
    try:
        service(form.trait_fields())
    except ValidationError as exc:
        form_add_refusal(form, exc)
        return False
    return True


@role_required(CURATOR)
@require_POST
def trait_add(request, taxonomy_id: int):
    taxonomy = get_object_or_404(Taxonomy, pk=taxonomy_id)
    form = TraitAddForm(request.POST, codes=list(taxonomy.traits.values_list("code", flat=True)))
    if _applied(form, lambda fields: trait_create(taxonomy=taxonomy, **fields)):
        messages.info(request, f"Trait {form.cleaned_data['code']} added.")
        return redirect("taxonomy-version", taxonomy_id=taxonomy.pk)
    return _detail(request, taxonomy, add_form=form, status=400)


@role_required(CURATOR)
@require_POST
def trait_edit(request, trait_id: int):
    trait = get_object_or_404(Trait.objects.select_related("taxonomy"), pk=trait_id)
    codes = list(trait.taxonomy.traits.exclude(pk=trait.pk).values_list("code", flat=True))
    form = TraitEditForm(request.POST, codes=codes, prefix=f"t{trait.pk}")
    if _applied(form, lambda fields: trait_update(trait=trait, **fields)):
        messages.info(request, f"Trait {trait.code} saved.")
        return redirect("taxonomy-version", taxonomy_id=trait.taxonomy_id)
    return _detail(request, trait.taxonomy, failed=(trait.pk, form), status=400)
