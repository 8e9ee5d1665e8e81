# Accounts move onto django-allauth. What fans had is carried over, so nobody notices:
# - each account's address becomes its primary allauth EmailAddress, confirmed where the fan had
#   confirmed it (User.email_confirmed_at, which then goes);
# - each confirmed django-otp authenticator app becomes an allauth TOTP authenticator with the
#   same secret (the codes on fans' phones keep working), and the unused backup codes of a fan
#   with an app become allauth recovery codes (allauth's "migrated_codes").
# Passwords and sessions are not touched. django-otp's tables are left as they were.

import base64
import secrets

import community.models
from django.db import migrations

BATCH = 1000


def carry_over(apps, schema_editor):
    User = apps.get_model("community", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    Authenticator = apps.get_model("mfa", "Authenticator")
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    StaticToken = apps.get_model("otp_static", "StaticToken")

    # Addresses. allauth keeps them in lower case, and one confirmed address belongs to one
    # account (a database constraint): should two accounts share one, the first confirmed keeps it.
    confirmed_emails = set(
        EmailAddress.objects.filter(verified=True).values_list("email", flat=True)
    )
    addresses, respelled = [], []
    accounts = (
        User.objects.exclude(email="")
        .filter(emailaddress__isnull=True)
        .order_by("email_confirmed_at", "pk")
        .values_list("pk", "email", "email_confirmed_at")
    )
    for pk, typed, confirmed_at in accounts.iterator(chunk_size=BATCH):
        email = typed.strip().lower()
        verified = confirmed_at is not None and email not in confirmed_emails
        if verified:
            confirmed_emails.add(email)
        addresses.append(EmailAddress(user_id=pk, email=email, verified=verified, primary=True))
        if email != typed:
            respelled.append((pk, email))
    EmailAddress.objects.bulk_create(addresses, batch_size=BATCH)
    for pk, email in respelled:  # the account's address as allauth spells it
        User.objects.filter(pk=pk).update(email=email)

    # Authenticator apps (one per fan: the newest confirmed one) and their backup codes.
    has_totp = set(
        Authenticator.objects.filter(type="totp").values_list("user_id", flat=True)
    )
    apps_by_user = {}
    for device in TOTPDevice.objects.filter(confirmed=True).order_by("pk"):
        if device.step == 30 and device.digits == 6 and device.t0 == 0:
            apps_by_user[device.user_id] = device
    authenticators = []
    for user_id, device in apps_by_user.items():
        if user_id in has_totp:
            continue
        secret = base64.b32encode(bytes.fromhex(device.key)).decode("ascii").rstrip("=")
        since = {"created_at": device.created_at} if device.created_at else {}
        authenticators.append(
            Authenticator(
                user_id=user_id,
                type="totp",
                data={"secret": secret},
                last_used_at=device.last_used_at,
                **since,
            )
        )
    codes_by_user = {}
    tokens = StaticToken.objects.filter(
        device__confirmed=True, device__user_id__in=[a.user_id for a in authenticators]
    ).values_list("device__user_id", "token")
    for user_id, token in tokens:
        codes_by_user.setdefault(user_id, []).append(token.lower())
    has_codes = set(
        Authenticator.objects.filter(type="recovery_codes").values_list("user_id", flat=True)
    )
    for user_id, codes in codes_by_user.items():
        if user_id not in has_codes:
            authenticators.append(
                Authenticator(
                    user_id=user_id,
                    type="recovery_codes",
                    data={"seed": secrets.token_hex(40), "used_mask": 0, "migrated_codes": codes},
                )
            )
    Authenticator.objects.bulk_create(authenticators, batch_size=BATCH)


def carry_back(apps, schema_editor):
    """Back to User.email_confirmed_at (the allauth rows stay)."""
    from django.utils import timezone

    User = apps.get_model("community", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    confirmed = EmailAddress.objects.filter(primary=True, verified=True).values("user_id")
    User.objects.filter(pk__in=confirmed).update(email_confirmed_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0007_comment_reply_order_idx"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("mfa", "0003_authenticator_type_uniq"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [
        migrations.RunPython(carry_over, carry_back),
        migrations.AlterModelManagers(
            name="user",
            managers=[
                ("objects", community.models.FanManager()),
            ],
        ),
        migrations.RemoveField(
            model_name="user",
            name="email_confirmed_at",
        ),
    ]
