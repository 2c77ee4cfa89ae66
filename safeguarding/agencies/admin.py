from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from safeguarding.agencies.models import Agency, Membership, Team, User


class TeamInline(admin.TabularInline):
    model = Team
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "partner_status", "is_active"]
    list_filter = ["kind", "partner_status", "is_active"]
    search_fields = ["name", "code"]
    inlines = [TeamInline]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "is_system", "is_active"]
    list_filter = ["is_system", "is_active", "is_staff"]
    fieldsets = [*BaseUserAdmin.fieldsets, ("Safeguarding Hub", {"fields": ["job_title", "is_system"]})]  # type: ignore[misc]
    inlines = [MembershipInline]
