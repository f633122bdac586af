"""Report-mining pages for curators: import and mining runs, candidates, the mapping editor, mapping quality.

The pages compose `reports_nlp` services and selectors; where a page reaches into a later layer
(selecting candidates into an annotation campaign, consensus labels as the quality reference) it is
this module, not `reports_nlp`, that calls `annotation`. Report text is PHI and every page here shows it:
curators (and admins) only.
"""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from annotation.models import Campaign
from annotation.selectors.campaigns import campaign_list
from annotation.selectors.consensus import consensus_reference
from annotation.services.audit import audit_source_from
from annotation.services.campaigns import campaign_add_selected_candidates
from core.decorators import role_required
from core.roles import CURATOR
from frontend.forms.reports import CandidateSelectForm
from frontend.views.params import page_int
from reports_nlp.models import KeywordMapping, MappingSet, MiningRun
from reports_nlp.pipeline import SECTIONS
from reports_nlp.report_files import ReportFileError
from reports_nlp.selectors.candidates import candidate_evidence, candidate_ranking, candidate_trait_counts
from reports_nlp.selectors.mapping_sets import mapping_set_get, mapping_set_list
from reports_nlp.selectors.mining import mining_run_latest_done, mining_run_list, mining_run_status
from reports_nlp.selectors.quality import mapping_quality
from reports_nlp.selectors.reports import report_counts
from reports_nlp.services.mapping_sets import (
    keyword_mapping_update,
    mapping_set_clone,
    mapping_set_publish,
    mapping_set_rules_update,
)
from reports_nlp.services.mining import mining_run_create, mining_run_dispatch
from reports_nlp.services.report_import import report_import_file

PAGE_SIZE = 100
ASSERTION_CHOICES = ("present", "uncertain", "absent", "historical")


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


@role_required(CURATOR)
def mining(request):
    """Reports in the archive, the import form, and the mining runs with live progress."""
    return render(request, "frontend/reports/mining.html", {
        "counts": report_counts(),
        "runs": [mining_run_status(run=run) for run in mining_run_list()[:20]],
        "mapping_sets": mapping_set_list(),
    })


@role_required(CURATOR)
@require_POST
def report_upload(request):
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choose a CSV or JSONL file of reports.")
        return redirect("reports-mining")
    try:
        result = report_import_file(data=upload.read(), name=upload.name)
    except ReportFileError as exc:
        messages.error(request, str(exc))
        return redirect("reports-mining")
    messages.info(request, f"{upload.name}: {result.created} new, {result.revised} revised, "
                           f"{result.unchanged} unchanged, {len(result.errors)} skipped.")
    for line, error in result.errors[:20]:
        messages.error(request, f"{upload.name} line {line}: {error}")
    return redirect("reports-mining")


@role_required(CURATOR)
@require_POST
def mining_start(request):
    version = request.POST.get("mapping_set") or None
    try:
        mapping_set = mapping_set_get(version=int(version) if version else None)
        run = mining_run_create(mapping_set=mapping_set, created_by=request.user,
                                filters={"linked_only": bool(request.POST.get("linked_only"))})
        mining_run_dispatch(run=run)
    except (MappingSet.DoesNotExist, ValueError, ValidationError) as exc:
        messages.error(request, f"Could not start the run: {exc}")
    return redirect("reports-mining")


@role_required(CURATOR)
@require_POST
def mining_resume(request, run_id: int):
    mining_run_dispatch(run=get_object_or_404(MiningRun, pk=run_id))
    return redirect("reports-mining")


def _candidate_filters(request) -> dict:
    query = request.GET
    traits = [t for t in query.getlist("trait") if t]
    verdicts = [v for v in query.getlist("verdict") if v in ASSERTION_CHOICES] or ["present", "uncertain"]
    sections = [s for s in query.getlist("section") if s in SECTIONS]
    return {"traits": traits, "verdicts": verdicts, "sections": sections}


def _run(request) -> MiningRun | None:
    """The run the page asks for (`?run=`), or the latest finished one."""
    run_id = page_int(request.GET, "run")
    return get_object_or_404(MiningRun, pk=run_id) if run_id else mining_run_latest_done()


@role_required(CURATOR)
def candidates(request):
    """Ranked candidates with the evidence sentence highlighted; checked studies go to a campaign."""
    run = _run(request)
    filters = _candidate_filters(request)
    page = page_int(request.GET, "page") or 1
    rows, counts = [], {}
    if run is not None:
        rows = candidate_ranking(run=run, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, **filters)
        evidence = candidate_evidence(run=run, report_ids={r["report_id"] for r in rows})
        for row in rows:
            row["evidence"] = evidence.get((row["report_id"], row["trait"]))
        counts = candidate_trait_counts(run=run, verdicts=filters["verdicts"], sections=filters["sections"])
    return render(request, "frontend/reports/candidates.html", {
        "run": run, "rows": rows, "filters": filters, "page": page, "page_size": PAGE_SIZE,
        "counts": [(code, [by.get(v, 0) for v in filters["verdicts"]])
                   for code, by in sorted(counts.items(), key=lambda kv: -sum(kv[1].values()))],
        "trait_codes": _trait_codes(run), "sections": SECTIONS, "verdict_choices": ASSERTION_CHOICES,
        "campaigns": _open_campaigns(request.user),
    })


def _trait_codes(run: MiningRun | None) -> list[str]:
    if run is None:
        return []
    return list(run.mapping_set.mappings.values_list("trait__code", flat=True))


def _open_campaigns(user) -> list:
    return list(campaign_list(user=user).exclude(status=Campaign.Status.CLOSED))


@role_required(CURATOR)
@require_POST
def candidates_select(request):
    """The hook from the candidates page: checked studies join the chosen campaign, with mining priorities."""
    form = CandidateSelectForm(request.POST)
    back = form.data.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = "reports-candidates"  # never an open redirect to another site
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(back)
    campaign = form.cleaned_data["campaign"]
    try:
        added = campaign_add_selected_candidates(
            campaign=campaign, run=form.cleaned_data["run"], study_ids=[s.pk for s in form.cleaned_data["study"]],
            actor=request.user, source=audit_source_from(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.info(request, f"{len(added['added'])} studies added to {campaign.name} "
                           f"({len(added['already_in_campaign'])} were already in it), ranked by report mining.")
    return redirect(back)


@role_required(CURATOR)
def mapping_sets(request):
    return render(request, "frontend/reports/mapping_sets.html", {"mapping_sets": mapping_set_list()})


@role_required(CURATOR)
def mapping_editor(request, version: int):
    """A set's trait mappings; drafts are editable, every set has the live preview."""
    mapping_set = get_object_or_404(MappingSet, version=version)
    return _mapping_editor(request, mapping_set, selected=request.GET.get("trait") or "",
                           rules_json=json.dumps(mapping_set.context_rules, indent=1))


def _mapping_editor(request, mapping_set: MappingSet, *, selected: str, rules_json: str, status: int = 200):
    mappings = mapping_set.mappings.select_related("trait")
    if not selected or not any(m.trait.code == selected for m in mappings):
        selected = mappings[0].trait.code if mappings else ""
    return render(request, "frontend/reports/mapping_editor.html", {
        "mapping_set": mapping_set, "mappings": mappings, "selected": selected, "sections": SECTIONS,
        "rules_json": rules_json,
    }, status=status)


@role_required(CURATOR)
@require_POST
def mapping_save(request, mapping_id: int):
    mapping = get_object_or_404(KeywordMapping.objects.select_related("mapping_set", "trait"), pk=mapping_id)
    try:
        keyword_mapping_update(
            mapping=mapping, phrases=_lines(request.POST.get("phrases", "")),
            exclusions=_lines(request.POST.get("exclusions", "")),
            sections=[s for s in request.POST.getlist("sections") if s],
            weight=float(request.POST.get("weight") or 1.0),
        )
        messages.info(request, f"Saved {mapping.trait.code} in v{mapping.mapping_set.version}.")
    except (ValidationError, ValueError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect(f"/reports/mappings/{mapping.mapping_set.version}/?trait={mapping.trait.code}")


@role_required(CURATOR)
@require_POST
def mapping_set_action(request, version: int, action: str):
    mapping_set = get_object_or_404(MappingSet, version=version)
    try:
        if action == "clone":
            mapping_set = mapping_set_clone(mapping_set=mapping_set)
            messages.info(request, f"Draft v{mapping_set.version} created from v{version}.")
        elif action == "publish":
            mapping_set_publish(mapping_set=mapping_set)
            messages.info(request, f"v{version} published.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("reports-mapping-editor", version=mapping_set.version)


@role_required(CURATOR)
@require_POST
def mapping_rules_save(request, version: int):
    """Replace a draft's ConText rules with the posted JSON list (curators extend triggers and terminators).

    A refused edit shows the editor again on the same trait, with the text as typed and what is wrong with it."""
    mapping_set = get_object_or_404(MappingSet, version=version)
    text, trait = request.POST.get("context_rules") or "[]", request.POST.get("trait") or ""
    try:
        rules = _rules_from_json(text)
        mapping_set_rules_update(mapping_set=mapping_set, rules=rules)
    except (ValidationError, ValueError) as exc:
        messages.error(request, "Nothing was saved: " + " ".join(getattr(exc, "messages", [str(exc)])))
        return _mapping_editor(request, mapping_set, selected=trait, rules_json=text, status=400)
    messages.info(request, f"Saved {len(rules)} assertion rules in v{version}.")
    return redirect(f"{reverse('reports-mapping-editor', args=[version])}?{urlencode({'trait': trait})}")


def _rules_from_json(text: str) -> list:
    """The posted rules as a list, or a ValueError that says where the JSON breaks, in a curator's words."""
    try:
        rules = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the assertion rules are not valid JSON: {exc.msg.lower()} at line {exc.lineno}, "
                         f"column {exc.colno}.") from exc
    if not isinstance(rules, list):
        raise ValueError("the assertion rules must be a JSON list of objects, [ {...}, {...} ], "
                         f"not a JSON {type(rules).__name__}.")
    return rules


def _reference(request, run: MiningRun) -> tuple[dict, str]:
    """The reference labels the page compares with: the chosen campaign's consensus (none chosen: no reference)."""
    campaign_id = page_int(request.GET, "campaign")
    if not campaign_id:
        return {}, ""
    campaign = get_object_or_404(Campaign, pk=campaign_id)
    return consensus_reference(campaign=campaign, codes=_trait_codes(run)), f"consensus of campaign {campaign.name}"


@role_required(CURATOR)
def quality(request):
    """Per trait and per phrase precision/recall of the report verdicts, so curators can prune phrases."""
    run = _run(request)
    result, source = None, ""
    if run is not None:
        reference, source = _reference(request, run)
        result = mapping_quality(run=run, reference=reference) if reference else None
    return render(request, "frontend/reports/quality.html", {
        "run": run, "result": result, "source": source, "campaigns": _open_campaigns(request.user),
        "runs": mining_run_list().filter(status=MiningRun.Status.DONE)[:20],
    })
