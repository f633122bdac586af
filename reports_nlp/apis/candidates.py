"""Candidates API: ranked candidate rows with evidence, counts per trait, and study priorities."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from core.pagination import ListPagination, PaginatedListMixin, SlicedRows
from core.params import BIGINT_MAX, int_param
from reports_nlp.apis.base import ReportsApiView
from reports_nlp.models import MiningRun
from reports_nlp.models.mining import VERDICTS
from reports_nlp.pipeline import SECTIONS
from reports_nlp.selectors.candidates import (
    CANDIDATE_VERDICTS,
    candidate_count,
    candidate_evidence,
    candidate_ranking,
    candidate_trait_counts,
    study_priorities,
    study_priority_count,
)
from reports_nlp.selectors.mining import mining_run_latest_done


class CandidateFilterSerializer(serializers.Serializer):
    run = serializers.IntegerField(required=False, min_value=0, max_value=BIGINT_MAX,
                                   help_text="Mining run id; default the latest done run.")
    trait = serializers.ListField(child=serializers.SlugField(), required=False)
    verdict = serializers.ListField(child=serializers.ChoiceField(choices=VERDICTS), required=False)
    section = serializers.ListField(child=serializers.ChoiceField(choices=SECTIONS), required=False)
    limit = serializers.IntegerField(min_value=1, max_value=ListPagination.max_limit, default=100,
                                     help_text="Rows per page.")
    offset = serializers.IntegerField(min_value=0, max_value=BIGINT_MAX, default=0,
                                      help_text="Rows to skip (follow `next` instead).")


def _filters(request) -> dict:
    query = request.query_params
    # The integers through the one parser every API uses (a 400 naming the parameter and its range); the
    # serializer then sees only values in range, and documents the parameters.
    ints = {"run": int_param(query, "run"), "offset": int_param(query, "offset"),
            "limit": int_param(query, "limit", min_value=1, max_value=ListPagination.max_limit)}
    data = CandidateFilterSerializer(data={
        **{k: value for k, value in ints.items() if value is not None},
        **{k: query.getlist(k) for k in ("trait", "verdict", "section") if k in query},
    })
    data.is_valid(raise_exception=True)
    v = data.validated_data
    run = get_object_or_404(MiningRun, pk=v["run"]) if "run" in v else mining_run_latest_done()
    return {"run": run, "traits": v.get("trait"), "verdicts": v.get("verdict") or CANDIDATE_VERDICTS,
            "sections": v.get("section"), "limit": v["limit"], "offset": v["offset"]}


def _selection(filters: dict) -> dict:
    """The filters without the page: the paginator slices by the same `limit` and `offset`."""
    return {k: v for k, v in filters.items() if k not in ("limit", "offset")}


_RUN_HELP = "Beside the page: the mining run the rows come from (null when no run is done yet)."


class CandidateOutputSerializer(serializers.Serializer):
    study_id = serializers.IntegerField()
    report_id = serializers.IntegerField()
    revision = serializers.IntegerField(help_text="The report revision the verdict was mined from.")
    result_status = serializers.CharField(allow_blank=True, help_text="Its RIS status (blank: a file import).")
    trait = serializers.CharField()
    verdict = serializers.CharField()
    section = serializers.CharField()
    phrase = serializers.CharField()
    score = serializers.FloatField()
    reason = serializers.CharField()
    evidence = serializers.DictField(child=serializers.CharField(), allow_null=True,
                                     help_text="The evidence sentence as {before, match, after} (report text: PHI).")


class CandidateListApi(PaginatedListMixin, ReportsApiView):
    """Rows per study and trait, best first, with the reason and the evidence sentence (curators only)."""

    @extend_schema(parameters=[CandidateFilterSerializer], responses=CandidateOutputSerializer(many=True),
                   description=_RUN_HELP)
    def get(self, request):
        selection = _selection(_filters(request))
        run = selection["run"]

        def page(*, offset, limit):
            rows = candidate_ranking(**selection, offset=offset, limit=limit)
            evidence = candidate_evidence(run=run, report_ids={r["report_id"] for r in rows})
            for row in rows:
                row["evidence"] = evidence.get((row["report_id"], row["trait"]))
            return rows

        rows = SlicedRows(count=lambda: candidate_count(**selection), rows=page) if run is not None else []
        return self.paginated_response(rows, CandidateOutputSerializer, extra={"run": run and run.pk})


class CandidateCountsApi(ReportsApiView):
    @extend_schema(parameters=[CandidateFilterSerializer], responses={200: dict})
    def get(self, request):
        f = _filters(request)
        return Response({"run": f["run"] and f["run"].pk,
                         "counts": candidate_trait_counts(run=f["run"], verdicts=f["verdicts"], sections=f["sections"])})


class StudyPriorityOutputSerializer(serializers.Serializer):
    study_id = serializers.IntegerField()
    score = serializers.FloatField(help_text="The study's best candidate score.")
    traits = serializers.ListField(child=serializers.CharField())
    reasons = serializers.ListField(child=serializers.CharField())


class StudyPrioritiesApi(PaginatedListMixin, ReportsApiView):
    """Studies by best candidate score with the reasons: what annotation's queue uses."""

    @extend_schema(parameters=[CandidateFilterSerializer], responses=StudyPriorityOutputSerializer(many=True),
                   description=_RUN_HELP)
    def get(self, request):
        f = _filters(request)
        studies = {"run": f["run"], "traits": f["traits"], "verdicts": f["verdicts"]}
        rows = SlicedRows(count=lambda: study_priority_count(**studies),
                          rows=lambda *, offset, limit: study_priorities(**studies, offset=offset, limit=limit))
        return self.paginated_response(rows if f["run"] is not None else [], StudyPriorityOutputSerializer,
                                       extra={"run": f["run"] and f["run"].pk})
