from django.urls import path

from apps.benchmarks import api

urlpatterns = [
    path("cohorts/", api.CohortList.as_view(), name="cohort-list"),
    path("benchmarks/", api.BenchmarkList.as_view(), name="benchmark-list"),
    path("benchmarks/position/", api.PositionDetail.as_view(), name="benchmark-position"),
]
