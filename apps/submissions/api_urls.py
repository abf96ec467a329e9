from django.urls import path

from apps.submissions import api

urlpatterns = [
    path("submissions/", api.SubmissionListCreate.as_view(), name="submission-list"),
    path(
        "submissions/nothing-to-report/", api.NothingToReport.as_view(), name="submission-nothing-to-report"
    ),
    path("submissions/<str:pk>/", api.SubmissionDetail.as_view(), name="submission-detail"),
    path("submissions/<str:pk>/report/", api.SubmissionReport.as_view(), name="submission-report"),
    path("submissions/<str:pk>/report.csv", api.SubmissionReportCsv.as_view(), name="submission-report-csv"),
]
