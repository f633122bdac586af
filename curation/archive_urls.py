"""REST API of the DICOM archive under /api/archive/ (studies, series, rejections, uploads)."""

urlpatterns: list = []
