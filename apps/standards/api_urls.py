from django.urls import path

from apps.standards import api

urlpatterns = [
    path("standards/", api.StandardList.as_view(), name="standard-list"),
    path("standards/<str:code>/", api.StandardDetail.as_view(), name="standard-detail"),
    path("standards/<str:code>/versions/<str:version>/", api.VersionDetail.as_view(), name="version-detail"),
    path(
        "standards/<str:code>/versions/<str:version>/schema.json",
        api.VersionSchema.as_view(),
        name="version-schema",
    ),
    path(
        "standards/<str:code>/versions/<str:version>/template.csv",
        api.VersionTemplateCsv.as_view(),
        name="version-template-csv",
    ),
    path(
        "standards/<str:code>/versions/<str:version>/template.xlsx",
        api.VersionTemplateXlsx.as_view(),
        name="version-template-xlsx",
    ),
]
