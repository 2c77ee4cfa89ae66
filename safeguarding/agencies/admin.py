from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin as BaseTOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

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
    fieldsets = [*BaseUserAdmin.fieldsets, ("Safeguarding Hub", {"fields": ["job_title", "work_phone", "is_system"]})]  # type: ignore[misc]
    inlines = [MembershipInline]


# No "delete selected" on any list: the admin logs a bulk deletion with one bulk insert, which sends no
# signal, so `core.admin_log` could not put it in the activity log. Deleting one at a time is logged.
admin.site.disable_action("delete_selected")


# Authenticator devices: the secret and its QR code are never shown (OTP_ADMIN_HIDE_SENSITIVE_DATA
# hides them on existing devices). A device is never added here either, because the add form would
# show a new secret: each person enrols their own at sign-in. To reset a lost device, delete it.
admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(BaseTOTPDeviceAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
