"""The language switch, at /i18n/setlang/ with the name Django's own has (outside the accounts
namespace: every page's language picker posts to it)."""

from django.urls import path

from apps.accounts import views

urlpatterns = [path("i18n/setlang/", views.set_language, name="set_language")]
