from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from community import admin_security  # noqa: F401  (sign-up blocklists)
from community.models import User

admin.site.register(User, UserAdmin)
from community import admin_desk, admin_premieres, admin_talk  # noqa: F401,E402
