"""DICOMweb endpoints under /dicomweb/."""

app_name = "dicomweb"
urlpatterns: list = []
