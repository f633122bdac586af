"""Downloads of a published version: the file list, one file, or the whole directory as a streamed tar."""

from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from datasets.apis.versions import TrainerOrCuratorReads
from datasets.models import DatasetVersion
from datasets.selectors.versions import DatasetFileNotFound, version_file, version_manifest
from datasets.tar_stream import tar_stream


def _published(version_id) -> tuple[DatasetVersion, dict]:
    version = get_object_or_404(DatasetVersion, pk=version_id)
    manifest = version_manifest(version)
    if manifest is None:
        raise NotFound(f"Dataset '{version.name}' v{version.version} is {version.status}, not published.")
    return version, manifest


class VersionFilesApi(APIView):
    permission_classes = [TrainerOrCuratorReads]

    @extend_schema(operation_id="datasets_versions_files_list", responses={200: dict})
    def get(self, request, version_id):
        version, manifest = _published(version_id)
        return Response({"content_hash": manifest["content_hash"], "files": manifest["files"]})


class VersionFileApi(APIView):
    permission_classes = [TrainerOrCuratorReads]

    @extend_schema(operation_id="datasets_versions_file_download", responses={(200, "application/octet-stream"): bytes})
    def get(self, request, version_id, path):
        version, _ = _published(version_id)
        try:
            target = version_file(version, path)
        except DatasetFileNotFound as exc:
            raise NotFound(str(exc)) from None
        return FileResponse(open(target, "rb"), as_attachment=True, filename=target.name)  # noqa: SIM115


class VersionTarApi(APIView):
    permission_classes = [TrainerOrCuratorReads]

    @extend_schema(responses={(200, "application/x-tar"): bytes})
    def get(self, request, version_id):
        version, manifest = _published(version_id)
        prefix = f"{version.name}-v{version.version}"
        paths = ["manifest.json", *(f["path"] for f in manifest["files"])]
        response = StreamingHttpResponse(tar_stream(version_file(version, "manifest.json").parent, paths, prefix),
                                         content_type="application/x-tar")
        response["Content-Disposition"] = f'attachment; filename="{prefix}.tar"'
        return response
