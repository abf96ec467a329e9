from django.urls import path

from apps.submissions import views

app_name = "submissions"
urlpatterns = [
    path("submissions/", views.submissions, name="list"),
    path("submissions/<str:pk>/", views.detail, name="detail"),
    path("submissions/<str:pk>/report.csv", views.report, name="report"),
]
