from django.contrib import admin

from apps.standards.models import ExchangeRate, Sector


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code",)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("period", "currency", "usd_per_unit", "updated_at")
    list_filter = ("currency",)
    search_fields = ("currency", "period")
