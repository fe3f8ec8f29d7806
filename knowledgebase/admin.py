from django.contrib import admin

from knowledgebase.models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_ko", "name_en", "sort_order", "is_active")
    list_editable = ("sort_order", "is_active")
    search_fields = ("slug", "name_ko", "name_en")
    prepopulated_fields = {"slug": ("name_en",)}
