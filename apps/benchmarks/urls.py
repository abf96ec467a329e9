from django.urls import path

from apps.benchmarks import views

app_name = "benchmarks"
urlpatterns = [
    path("benchmarks/", views.index, name="index"),
    path("benchmarks/disclosure/", views.disclosure, name="disclosure"),
    path("benchmarks/steward/cohorts/", views.steward_cohorts, name="steward_cohorts"),
    path("benchmarks/steward/cohorts/<str:pk>/", views.steward_cohort, name="steward_cohort"),
    path("benchmarks/steward/cohorts/<str:pk>/activate/", views.steward_activate, name="steward_activate"),
    path("benchmarks/steward/cohorts/<str:pk>/retire/", views.steward_retire, name="steward_retire"),
    path("benchmarks/steward/policy/", views.steward_policy, name="steward_policy"),
    path("benchmarks/steward/runs/", views.steward_runs, name="steward_runs"),
    path("benchmarks/steward/runs/<str:pk>/", views.steward_run, name="steward_run"),
]
