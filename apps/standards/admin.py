from django.contrib import admin

from apps.standards.models import ExchangeRate


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("period", "currency", "usd_per_unit", "updated_at")
    list_filter = ("currency",)
    search_fields = ("currency", "period")
