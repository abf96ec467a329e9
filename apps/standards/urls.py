from django.urls import path

from apps.standards import views

app_name = "standards"
urlpatterns = [
    path("standards/", views.catalog, name="catalog"),
    path("standards/<str:code>/", views.standard_detail, name="standard"),
    path("standards/<str:code>/draft/fields/new/", views.edit_field, name="new_field"),
    path("standards/<str:code>/draft/fields/<str:name>/", views.edit_field, name="edit_field"),
    path("standards/<str:code>/draft/fields/<str:name>/remove/", views.remove_field, name="remove_field"),
    path("standards/<str:code>/draft/publish/", views.publish, name="publish"),
    path("standards/<str:code>/draft/discard/", views.discard, name="discard"),
    path("standards/<str:code>/<str:version>/", views.version_detail, name="version"),
    path("standards/<str:code>/<str:version>/new-draft/", views.new_draft, name="new_draft"),
    path("standards/<str:code>/<str:version>/deprecate/", views.deprecate, name="deprecate"),
    path("standards/<str:code>/<str:version>/template.<str:kind>", views.download_template, name="template"),
]
