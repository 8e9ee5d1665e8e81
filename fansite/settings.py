"""fansite settings: one module, driven by environment variables.

With no environment at all it runs the embedded default (SQLite file, local-memory cache,
media on disk, console e-mail). Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS,
DATABASE_URL and REDIS_URL; see README.md for the full table.
"""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}."
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development only: a fixed key would be a vulnerability in production, hence the guard above.
    SECRET_KEY = "django-insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = env_str("SITE_NAME", "fansite")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.syndication",
    "django.contrib.postgres",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served by us: the CSP allows no CDN
    "simple_history",
    # Accounts: sign-up, log in, e-mail addresses, passwords (allauth.account), two-factor and
    # passkeys (allauth.mfa), and signing in with another site's account (allauth.socialaccount).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.apple",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.kakao",
    "allauth.socialaccount.providers.line",
    "allauth.socialaccount.providers.naver",
    "allauth.socialaccount.providers.openid_connect",
    # Only so community's migration 0008 can read the two-factor devices it carried over to
    # allauth.mfa; nothing else uses them. They can go once every database has run it.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    "catalog",
    "community",
    "fansite",  # its template tags ({% kept_for_visitors %})
]

MIDDLEWARE = [
    "fansite.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "fansite.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Visitors' kept pages, before sessions and what follows them (fansite/middleware.py).
    "fansite.middleware.VisitorPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "fansite.languages.PreferredLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "community.middleware.StaffTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "fansite.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "fansite.urls"
WSGI_APPLICATION = "fansite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fansite.context_processors.site",
            ],
        },
    },
]

# Database: SQLite file by default; DATABASE_URL (postgres://…) for anything shared.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent connections buy nothing on SQLite and keep the file locked between requests.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Writers take the lock when their transaction starts, so two of them never deadlock
    # upgrading a read lock; they wait their turn instead ("database is locked" otherwise).
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DB_PREPARED_STATEMENTS", True
):
    # PostgreSQL plans a statement each time it is sent, and planning a page's queries took
    # as long as running them (docs/performance.md, "Decisions"). With the values bound on the
    # server, psycopg prepares a statement a connection has run a few times and PostgreSQL
    # keeps its plan. Off (0) behind a pooler in transaction mode that can't keep them.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )

AUTH_USER_MODEL = "community.User"
AUTHENTICATION_BACKENDS = [
    # allauth's (usernames ignoring case, or an e-mail address), reading whether the fan's
    # address is confirmed with the user's row.
    "community.auth_backends.AuthenticationBackend",
    # Sessions begun before allauth name Django's own backend: it still reads them.
    "django.contrib.auth.backends.ModelBackend",
]

# Cache: local memory by default; REDIS_URL makes it shared between web processes and machines.
# Redis going away is a miss, not an error: foundation/cache.py (README, "When Redis is away").
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's, with one Redis client per pool rather than one per call, short timeouts
            # and a circuit breaker.
            "BACKEND": "foundation.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "fansite"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Visitors' home, video list and video pages are served from the cache (foundation/page_cache.py):
# stored this many seconds at most (0: never), and made stale at once by any write they show.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 60)
# What Cache-Control lets browsers and CDNs reuse without asking (they revalidate with the ETag).
# 0 keeps "a write shows at once" true for them too; more trades that for fewer requests here.
PAGE_CACHE_MAX_AGE = env_int("PAGE_CACHE_MAX_AGE", 0)

# Live video pages (community/live/): new talk, likes and rating figures arrive while fans
# watch, as Server-Sent Events from /live/…, served by the ASGI server (`make serve` runs it
# beside gunicorn). With REDIS_URL every server hears every event (Redis pub/sub, with a log per
# video to resume from); without it, only the process that published it (the development server).
LIVE_ENABLED = env_bool("LIVE_ENABLED", True)
LIVE_STREAMS_PER_FAN = env_int("LIVE_STREAMS_PER_FAN", 8)
LIVE_STREAMS_PER_ADDRESS = env_int("LIVE_STREAMS_PER_ADDRESS", 32)  # 0: no cap
# Streams an ASGI server process starts at once (each checks its request with a database
# connection of its own); more wait their turn, so a crowd of pages opening together can't use
# up the database's connections (community/live/asgi.py). 0: no limit.
LIVE_STREAM_STARTS = env_int("LIVE_STREAM_STARTS", 16)
# A stream that carried no event for this long is closed (the page reconnects while it is shown).
LIVE_IDLE_SECONDS = env_int("LIVE_IDLE_SECONDS", 600)
# Every stream is closed after this long, so fans' sessions are checked again and streams spread
# over the servers there are now; the page reconnects at once and misses nothing.
LIVE_MAX_SECONDS = env_int("LIVE_MAX_SECONDS", 3600)
LIVE_LOG_LENGTH = env_int("LIVE_LOG_LENGTH", 1000)  # events kept per video to resume from
LIVE_LOG_SECONDS = env_int("LIVE_LOG_SECONDS", 24 * 60 * 60)
# Under WSGI a stream holds its worker. The development server has a thread per connection, so
# it streams; gunicorn's sync workers must not, so outside DEBUG a /live/ request that reaches
# them is answered at once with what is new, and the browser asks again LIVE_POLL_SECONDS later.
LIVE_WSGI_STREAMS = env_bool("LIVE_WSGI_STREAMS", DEBUG)
LIVE_POLL_SECONDS = env_int("LIVE_POLL_SECONDS", 20)

# Argon2 first: new and changed passwords are hashed with it; older hashes still verify.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The interface in English (no URL prefix), Korean (/ko/) and Japanese (/ja/): fansite/languages.py.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ko", "Korean"), ("ja", "Japanese")]
LOCALE_PATHS = [BASE_DIR / "locale"]  # compiled by `make` (compilemessages), never committed
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
# English dates as "14 November 2022"; Korean and Japanese use Django's own formats.
FORMAT_MODULE_PATH = ["fansite.formats"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# Static files: hashed and compressed by WhiteNoise (run collectstatic; `make run` does).
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads in an object store (S3 or compatible) instead of MEDIA_ROOT: a configuration change.
# Credentials come from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or the instance role).
MEDIA_BUCKET = env_str("MEDIA_BUCKET")
if MEDIA_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_BUCKET,
            "endpoint_url": env_str("MEDIA_ENDPOINT_URL") or None,
            "region_name": env_str("MEDIA_REGION") or None,
            "custom_domain": env_str("MEDIA_CUSTOM_DOMAIN") or None,
            "file_overwrite": False,  # names are random anyway; never replace a fan's file
            "default_acl": None,
            "querystring_auth": False,  # images are public: stable, cacheable URLs
        },
    }
# Media is served by Django only in development; production points MEDIA_URL at a web server
# or object store sharing MEDIA_ROOT (see README).
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEBUG)

# Uploads: Django sets no maximum of its own; catalog.images also caps pixels.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMAGE_UPLOAD_MAX_BYTES = env_int("IMAGE_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
IMAGE_UPLOAD_MAX_PIXELS = env_int("IMAGE_UPLOAD_MAX_PIXELS", 40_000_000)

# E-mail: console by default; SMTP_HOST switches to a real mailer.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "fansite <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env_str("SMTP_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("SMTP_HOST"),
                "port": env_int("SMTP_PORT", 587),
                "username": env_str("SMTP_USER"),
                "password": env_str("SMTP_PASSWORD"),
                "use_tls": env_bool("SMTP_USE_TLS", True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Background tasks (Django's tasks framework; e-mail is sent by community.tasks). By default they
# run at once, inside the request; TASKS_BACKEND=database queues them in the database for
# `manage.py db_worker` (production), so no page waits on the mail server.
TASKS_BACKEND = env_str("TASKS_BACKEND", "immediate")
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
else:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be immediate or database; got {TASKS_BACKEND!r}."
    )

# HTTPS. Production (DEBUG=0) defaults to HTTPS everywhere; behind a TLS-terminating load
# balancer set BEHIND_TLS_PROXY=1 so Django trusts its X-Forwarded-Proto.
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
# Production defaults: every subdomain on HTTPS and eligible for browsers' preload lists.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_COOKIES = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = SECURE_COOKIES
if SECURE_COOKIES:
    # __Host- cookies are only sent over HTTPS, to this exact host (OWASP ASVS 5.0, 3.3.1).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: no inline scripts or styles anywhere (so cached pages need no
# nonce); the only third party is the privacy-enhanced YouTube player, in a frame.
_MEDIA_ORIGIN = (
    [MEDIA_URL.split("/", 3)[0] + "//" + MEDIA_URL.split("/", 3)[2]]
    if (MEDIA_URL.startswith("https://"))
    else []
)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    # i.ytimg.com: YouTube's still of a linked video, previewed in the admin.
    "img-src": [CSP.SELF, "data:", "https://i.ytimg.com", *_MEDIA_ORIGIN],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-src": ["https://www.youtube-nocookie.com"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# The admin lives at a configurable path, so scanners looking for /admin/ find nothing.
ADMIN_URL = env_str("ADMIN_URL", "admin/")
if not ADMIN_URL.endswith("/") or ADMIN_URL.startswith("/"):
    raise ImproperlyConfigured("ADMIN_URL must look like 'curation/' (no leading slash).")

# The client's address is REMOTE_ADDR; behind N proxies that append to X-Forwarded-For (a load
# balancer: 1), set TRUSTED_PROXY_COUNT=N. One function reads it
# (foundation.client_address.client_ip) for login lockouts and allauth's other limits, the
# sign-up IP blocklist, write limits, the API's throttles and live streams' caps; allauth's and
# DRF's own settings say the same, for any code of theirs that reads the header itself. With 0,
# X-Forwarded-For is the client's claim: ignored.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = None

# Accounts (django-allauth). Fans sign up with a username, an e-mail address and a password, and
# log in with the username (any case) or the address. Until they confirm the address they can
# read but not write (community.decorators.confirmed_email_required).
ACCOUNT_ADAPTER = "community.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "community.forms_accounts.LoginForm",
    "signup": "community.forms_accounts.SignupForm",
    "add_email": "community.forms_accounts.AddEmailForm",
    "change_password": "community.forms_accounts.ChangePasswordForm",
    "reauthenticate": "community.forms_accounts.ReauthenticateForm",
}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_EMAIL_VERIFICATION = "optional"  # logged in at once, writing once confirmed
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = env_int("EMAIL_CONFIRMATION_DAYS", 3)
# The link carries a random key kept in the database: nothing in it can be read.
ACCOUNT_EMAIL_CONFIRMATION_HMAC = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # a button confirms: mail scanners that open links don't
ACCOUNT_EMAIL_NOTIFICATIONS = True  # the old address hears of a change, a new password...
ACCOUNT_MAX_EMAIL_ADDRESSES = 5
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # a reset asked for a stranger's address mails nobody
# Adding, removing or switching an address (and two-factor changes) ask for the password again
# unless the fan gave it in the last REAUTHENTICATION_MINUTES.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("REAUTHENTICATION_MINUTES", 5) * 60
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_PRESERVE_USERNAME_CASING = True  # shown as typed; unique ignoring case (the model)
ACCOUNT_USERNAME_MIN_LENGTH = 2
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"  # for links in e-mails
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "

# Wrong passwords: LOGIN_FAILURE_LIMIT for one username (or address) from one IP within
# LOGIN_LOCKOUT_MINUTES lock that pair out until the oldest of them is that old; one IP gets 10
# wrong passwords a minute whatever the names. Two-factor codes count the same way per fan.
# Counted in the cache, shared by every process once REDIS_URL is set (while Redis is away, each
# process counts on its own: foundation/cache.py).
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"10/m/ip,{LOGIN_FAILURE_LIMIT}/{LOGIN_LOCKOUT_MINUTES}m/key",
    # Mails: a reset link at most 3 times an hour per address (a minute's limit let a script
    # mail one address without end), 20 an hour per IP; a confirmation link once every 3 minutes
    # per address. Using a reset link: 20 tries an hour per IP.
    "reset_password": "5/m/ip,20/h/ip,3/h/key",
    "reset_password_from_key": "20/h/ip",
    "confirm_email": "1/3m/key",
    # Sending the change-password form, and on "confirm it's you"; wrong current passwords on
    # either are counted on their own (community.forms_accounts._check_current_password).
    "change_password": "5/m/user",
    "current_password_failed": "5/h/user",
    "reauthenticate": "10/m/user",
    "manage_email": "10/m/user",
    "signup": "20/m/ip",
}

# Two-factor (allauth.mfa): an authenticator app (TOTP), recovery codes, and passkeys or security
# keys (WebAuthn), which also log a fan in on their own. Staff must have one to open the admin
# (community.middleware.StaffTwoFactorMiddleware).
MFA_ADAPTER = "community.adapters.MFAAdapter"
MFA_FORMS = {
    "authenticate": "community.forms_accounts.TwoFactorCodeForm",
    "add_webauthn": "community.forms_accounts.AddPasskeyForm",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
# A fan with two-factor may still add an address (confirmed before it can become the primary
# one); allauth refuses that by default.
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_TOTP_ISSUER = SITE_NAME
MFA_TOTP_TOLERANCE = 1  # a code from the step before or after: phones' clocks drift
# Passkeys belong to the host name the browser sees; browsers refuse them on an IP address
# (use http://localhost:8000/ in development).

# Signing in with another site's account: each provider is offered once its client id and
# secret are set (README, "Signing in with other accounts"). A new fan coming from one still
# picks a username and meets the blocklists on the sign-up form.
SOCIALACCOUNT_ADAPTER = "community.adapters.SocialAccountAdapter"
SOCIALACCOUNT_FORMS = {"signup": "community.forms_accounts.SocialSignupForm"}
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # an address alone never joins an existing account
SOCIALACCOUNT_LOGIN_ON_GET = False  # a button starts it, so a link can't sign anyone in
SOCIALACCOUNT_REQUESTS_TIMEOUT = env_int("SOCIAL_REQUESTS_TIMEOUT", 5)


def _social_app(prefix: str) -> list[dict[str, object]]:
    """The provider's app from <PREFIX>_CLIENT_ID and <PREFIX>_SECRET, or none when unset."""
    client_id, secret = env_str(f"{prefix}_CLIENT_ID"), env_str(f"{prefix}_SECRET")
    if not client_id:
        return []
    if not secret:
        raise ImproperlyConfigured(f"{prefix}_CLIENT_ID is set: set {prefix}_SECRET too.")
    return [{"client_id": client_id, "secret": secret}]


SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, object]] = {
    "kakao": {"APPS": _social_app("KAKAO")},
    "naver": {"APPS": _social_app("NAVER")},
    "line": {"APPS": _social_app("LINE"), "SCOPE": ["profile", "openid", "email"]},
    "google": {"APPS": _social_app("GOOGLE"), "SCOPE": ["profile", "email"]},
    "apple": {
        # Apple's secret is a key: APPLE_SECRET is its key id, APPLE_TEAM_ID the team's id and
        # APPLE_PRIVATE_KEY the key itself (PEM).
        "APPS": [
            {
                **app,
                "key": env_str("APPLE_TEAM_ID"),
                "settings": {"certificate_key": env_str("APPLE_PRIVATE_KEY").replace("\\n", "\n")},
            }
            for app in _social_app("APPLE")
        ]
    },
    # Any OpenID Connect provider: OIDC_SERVER_URL (its issuer), OIDC_NAME (on the button).
    "openid_connect": {
        "APPS": [
            {
                **app,
                "provider_id": env_str("OIDC_PROVIDER_ID", "oidc"),
                "name": env_str("OIDC_NAME", "OpenID Connect"),
                "settings": {"server_url": env_str("OIDC_SERVER_URL")},
            }
            for app in _social_app("OIDC")
        ]
    },
}
if SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"] and not env_str("OIDC_SERVER_URL"):
    raise ImproperlyConfigured("OIDC_CLIENT_ID is set: set OIDC_SERVER_URL (the issuer) too.")
# "Continue with …" posts a form that answers with a redirect to the provider's page, which the
# Content-Security-Policy's form-action must allow (browsers check redirects too).
_SIGN_IN_PAGES = {
    "kakao": "https://kauth.kakao.com",
    "naver": "https://nid.naver.com",
    "line": "https://access.line.me",
    "google": "https://accounts.google.com",
    "apple": "https://appleid.apple.com",
    "openid_connect": "/".join(env_str("OIDC_SERVER_URL").split("/")[:3]),
}
SECURE_CSP["form-action"] = [
    CSP.SELF,
    *(_SIGN_IN_PAGES[name] for name, config in SOCIALACCOUNT_PROVIDERS.items() if config["APPS"]),
]

# Sign-up: a form sent back faster than this many seconds is a script's.
SIGNUP_MIN_SECONDS = env_int("SIGNUP_MIN_SECONDS", 3)

# /top/: a video needs this many ratings to be listed; it is also the Bayesian prior's weight.
TOP_MIN_VOTES = env_int("TOP_MIN_VOTES", 3)

REST_FRAMEWORK = {
    # Token first: its "WWW-Authenticate: Token" header makes a missing login a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "community.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "foundation.api.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["foundation.api_parsers.BoundedJSONParser"],
    "EXCEPTION_HANDLER": "foundation.api.exception_handler",
    # Counted in the default cache, so with REDIS_URL the limits hold across every process (and
    # in each process while Redis is away: foundation/cache.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "foundation.api.AnonThrottle",
        "foundation.api.UserThrottle",
        "foundation.api.WriteThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "240/min", "writes": "60/min"},
    # The throttles count by foundation.client_address.client_ip (foundation/api.py); this is
    # DRF's own reading of the same rule.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_SCHEMA_CLASS": "foundation.api_schema.AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",
    "DESCRIPTION": (
        "LE SSERAFIM's catalog (read by anyone) and what fans do with it: ratings, comments and "
        "watchlists. "
        "Sign in with the site's session (send the CSRF token on writes) or send "
        "`Authorization: Token <key>` with a key from /accounts/api-tokens/. Errors are always "
        'JSON: `{"errors": {"<field>": ["…"]}, "detail": "…"}`.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ReleaseKindEnum": "catalog.models.Release.Kind",
        "VideoKindEnum": "catalog.models.MusicVideo.Kind",
        "PersonKindEnum": "catalog.models.Person.Kind",
        "CreditRoleEnum": "catalog.models.Credit.Role",
        "DatePrecisionEnum": "catalog.dates.Precision",
        "SuggestionStatusEnum": "community.models.Suggestion.Status",
        "SuggestionFieldEnum": "community.api.suggestions.FIELD_CHOICES",
        "StatusEnum": "community.models.Comment.Status",  # its name before suggestions came
    },
    # No badge from validator.swagger.io: a third-party image the CSP would block anyway.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "fansite.middleware.RequestIdLogFilter"}},
    "formatters": {
        "json": {"()": "fansite.logs.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": env_str("LOG_FORMAT", "plain" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Django's own default gives the "django" logger a console handler of its own; its records
    # also reach the root's, so each line would be printed twice.
    "loggers": {"django": {"handlers": [], "propagate": True}},
}
