"""Candidates API: ranked candidate rows with evidence, counts per trait, and study priorities."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from reports_nlp.apis.base import ReportsApiView
from reports_nlp.models import MiningRun
from reports_nlp.models.mining import VERDICTS
from reports_nlp.pipeline import SECTIONS
from reports_nlp.selectors.candidates import (
    CANDIDATE_VERDICTS,
    candidate_evidence,
    candidate_ranking,
    candidate_trait_counts,
    study_priorities,
)
from reports_nlp.selectors.mining import mining_run_latest_done


class CandidateFilterSerializer(serializers.Serializer):
    run = serializers.IntegerField(required=False, help_text="Mining run id; default the latest done run.")
    trait = serializers.ListField(child=serializers.SlugField(), required=False)
    verdict = serializers.ListField(child=serializers.ChoiceField(choices=VERDICTS), required=False)
    section = serializers.ListField(child=serializers.ChoiceField(choices=SECTIONS), required=False)
    limit = serializers.IntegerField(min_value=1, max_value=1000, default=100)
    offset = serializers.IntegerField(min_value=0, default=0)


def _filters(request) -> dict:
    query = request.query_params
    data = CandidateFilterSerializer(data={
        **{k: query.get(k) for k in ("run", "limit", "offset") if k in query},
        **{k: query.getlist(k) for k in ("trait", "verdict", "section") if k in query},
    })
    data.is_valid(raise_exception=True)
    v = data.validated_data
    run = get_object_or_404(MiningRun, pk=v["run"]) if "run" in v else mining_run_latest_done()
    return {"run": run, "traits": v.get("trait"), "verdicts": v.get("verdict") or CANDIDATE_VERDICTS,
            "sections": v.get("section"), "limit": v["limit"], "offset": v["offset"]}


class CandidateListApi(ReportsApiView):
    """Rows per study and trait, best first, with the reason and the evidence sentence (curators only)."""

    @extend_schema(parameters=[CandidateFilterSerializer], responses={200: dict})
    def get(self, request):
        filters = _filters(request)
        if filters["run"] is None:
            return Response({"run": None, "results": []})
        rows = candidate_ranking(**filters)
        evidence = candidate_evidence(run=filters["run"], report_ids={r["report_id"] for r in rows})
        for row in rows:
            row["evidence"] = evidence.get((row["report_id"], row["trait"]))
        return Response({"run": filters["run"].pk, "results": rows})


class CandidateCountsApi(ReportsApiView):
    @extend_schema(parameters=[CandidateFilterSerializer], responses={200: dict})
    def get(self, request):
        f = _filters(request)
        return Response({"run": f["run"] and f["run"].pk,
                         "counts": candidate_trait_counts(run=f["run"], verdicts=f["verdicts"], sections=f["sections"])})


class StudyPrioritiesApi(ReportsApiView):
    """Studies by best candidate score with the reasons: what annotation's queue uses."""

    @extend_schema(parameters=[CandidateFilterSerializer], responses={200: dict})
    def get(self, request):
        f = _filters(request)
        if f["run"] is None:
            return Response({"run": None, "results": []})
        return Response({"run": f["run"].pk, "results": study_priorities(
            run=f["run"], traits=f["traits"], verdicts=f["verdicts"], limit=f["limit"])})
