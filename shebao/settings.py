"""The one settings module. Every deploy-specific value comes from a SHEBAO_* environment variable."""

from pathlib import Path

import dj_database_url

from shebao.core.env import env_bool, env_list, env_str, persistent_secret_key

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("SHEBAO_DATA_DIR", "var")).resolve()

DEBUG = env_bool("SHEBAO_DEBUG", False)
SECRET_KEY = persistent_secret_key(DATA_DIR)
ALLOWED_HOSTS = env_list("SHEBAO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("SHEBAO_CSRF_TRUSTED_ORIGINS", [])

# Which URL trees this process serves: portal (internet-facing), office (internal network) or all.
SHEBAO_SITES = env_str("SHEBAO_SITES", "all").lower()
if SHEBAO_SITES not in {"portal", "office", "all"}:
    raise ValueError("SHEBAO_SITES must be portal, office or all")

DATABASES = {
    "default": dj_database_url.parse(
        env_str("SHEBAO_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'shebao.sqlite3'}",
        conn_max_age=int(env_str("SHEBAO_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": env_str("SHEBAO_TEST_SQLITE_NAME") or None}

# A PostgreSQL streaming replica for the reads of query pages (shebao/core/replica.py); writes and the reads
# right after a user's own write stay on the primary.
if env_str("SHEBAO_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        env_str("SHEBAO_REPLICA_URL"), conn_max_age=DATABASES["default"].get("CONN_MAX_AGE", 0)
    )
    # The test suite reads the primary through the replica alias (the replica test starts real servers).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["shebao.core.replica.ReplicaRouter"]
SHEBAO_REPLICA_STICKY_SECONDS = int(env_str("SHEBAO_REPLICA_STICKY_SECONDS", "15"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ninja",  # so /api/v1/docs serves Swagger UI from the package's static files, not a CDN
    "shebao.core",
    "shebao.accounts",
    "shebao.parameters",
    "shebao.employers",
    "shebao.persons",
    "shebao.individual_accounts",
    "shebao.contributions",
    "shebao.benefits",
    "shebao.declarations",
    "shebao.certificates",
    "shebao.inbox",
    "shebao.audit",
    "shebao.notices",
    "shebao.portal",
    "shebao.api",
    "shebao.office",
    "shebao.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "shebao.core.edge.ContentSecurityPolicyMiddleware",
    "shebao.core.edge.ControlCharacterMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "shebao.accounts.middleware.AccountSessionMiddleware",
    "shebao.audit.middleware.PersonalDataAccessMiddleware",
    "shebao.api.middleware.ApiCallMiddleware",
    "shebao.core.replica.ReplicaRoutingMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "shebao.urls"
WSGI_APPLICATION = "shebao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shebao.core.context_processors.site",
                "shebao.declarations.context_processors.unread_results",
                "shebao.inbox.context_processors.unread_messages",
            ],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"

SESSION_COOKIE_AGE = int(env_str("SHEBAO_SESSION_IDLE_SECONDS", "1800"))  # idle sessions end after 30 minutes
# Login protection (accounts): failures before an account locks, for how long, failures allowed per client
# address in a window (then slowed down), and how long a first or reset password stays valid.
SHEBAO_LOGIN_MAX_FAILURES = int(env_str("SHEBAO_LOGIN_MAX_FAILURES", "5"))
SHEBAO_LOGIN_LOCK_MINUTES = int(env_str("SHEBAO_LOGIN_LOCK_MINUTES", "15"))
SHEBAO_LOGIN_IP_MAX_FAILURES = int(env_str("SHEBAO_LOGIN_IP_MAX_FAILURES", "30"))
SHEBAO_LOGIN_IP_WINDOW_MINUTES = int(env_str("SHEBAO_LOGIN_IP_WINDOW_MINUTES", "15"))
# Beyond that many failures an address is slowed down (each answer waits this long), never refused.
SHEBAO_LOGIN_IP_DELAY_SECONDS = float(env_str("SHEBAO_LOGIN_IP_DELAY_SECONDS", "2"))
# Look-ups of persons by ID number from item forms (H01 pre-fill, H02 look-up …): each recorded, at most this
# many per user and per employer in the window.
SHEBAO_IDENTITY_LOOKUPS_PER_USER = int(env_str("SHEBAO_IDENTITY_LOOKUPS_PER_USER", "60"))
SHEBAO_IDENTITY_LOOKUPS_PER_EMPLOYER = int(env_str("SHEBAO_IDENTITY_LOOKUPS_PER_EMPLOYER", "200"))
SHEBAO_IDENTITY_LOOKUP_WINDOW_MINUTES = int(env_str("SHEBAO_IDENTITY_LOOKUP_WINDOW_MINUTES", "60"))
SHEBAO_TEMPORARY_PASSWORD_DAYS = int(env_str("SHEBAO_TEMPORARY_PASSWORD_DAYS", "30"))
# How long the personal-data access log keeps its rows (days; `shebao accesslog_purge` deletes older ones).
SHEBAO_ACCESS_LOG_RETENTION_DAYS = int(env_str("SHEBAO_ACCESS_LOG_RETENTION_DAYS", "1095"))
# Behind reverse proxies (docs/deployment.md): how many of them append to X-Forwarded-For. 0 (the default): the
# client address is REMOTE_ADDR and X-Forwarded-For / X-Forwarded-Proto are ignored. N > 0: the client address is
# the N-th entry from the right of X-Forwarded-For, and X-Forwarded-Proto: https (which the outermost proxy must
# set, overwriting what the client sent) marks the request as secure.
SHEBAO_TRUSTED_PROXIES = int(env_str("SHEBAO_TRUSTED_PROXIES", "0"))
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SHEBAO_TRUSTED_PROXIES > 0 else None
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
# One switch for an HTTPS deployment: secure cookies, redirect http → https (except /healthz for the load
# balancer's probe), HSTS. SHEBAO_SECURE_COOKIES=1 (the older name) turns it on too.
SHEBAO_HTTPS = env_bool("SHEBAO_HTTPS", env_bool("SHEBAO_SECURE_COOKIES", False))
SESSION_COOKIE_SECURE = SHEBAO_HTTPS
CSRF_COOKIE_SECURE = SHEBAO_HTTPS
SECURE_SSL_REDIRECT = SHEBAO_HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(env_str("SHEBAO_HSTS_SECONDS", "31536000")) if SHEBAO_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SHEBAO_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Styles and scripts come from our static files only: no inline <style>, style="", <script> or on*= handlers.
SHEBAO_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
CSRF_FAILURE_VIEW = "shebao.core.views.csrf_failure"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on a missing root
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": env_str("SHEBAO_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Email for the message centre (inbox): SMTP when SHEBAO_SMTP_HOST is set, else printed on the console (the demo).
SHEBAO_SMTP_HOST = env_str("SHEBAO_SMTP_HOST")
EMAIL_BACKEND = env_str(
    "SHEBAO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if SHEBAO_SMTP_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = SHEBAO_SMTP_HOST or "localhost"
EMAIL_PORT = int(env_str("SHEBAO_SMTP_PORT", "25"))
EMAIL_HOST_USER = env_str("SHEBAO_SMTP_USER")
EMAIL_HOST_PASSWORD = env_str("SHEBAO_SMTP_PASSWORD")
EMAIL_USE_TLS = env_bool("SHEBAO_SMTP_STARTTLS")
EMAIL_USE_SSL = env_bool("SHEBAO_SMTP_SSL")
EMAIL_TIMEOUT = 15
DEFAULT_FROM_EMAIL = env_str("SHEBAO_EMAIL_FROM", "shebao@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("SHEBAO_LOG_LEVEL", "WARNING")},
}

# A running settlement whose worker sends no heartbeat for this long (a worker on another host that died) is
# failed automatically; a worker on the same host that is gone is noticed at once.
SHEBAO_SETTLEMENT_STALE_SECONDS = int(env_str("SHEBAO_SETTLEMENT_STALE_SECONDS", "300"))

# Files with more rows than this are imported by the background worker, not inside the request.
SHEBAO_IMPORT_BACKGROUND_ROWS = int(env_str("SHEBAO_IMPORT_BACKGROUND_ROWS", "500"))

# The public base URL printed into QR codes and links on receipts and certificates. When it is not given,
# `shebao serve` / `shebao demo` set it to the address they serve on (core.serving.public_url_adopt).
SHEBAO_PUBLIC_URL_GIVEN = bool(env_str("SHEBAO_PUBLIC_URL"))
SHEBAO_PUBLIC_URL = env_str("SHEBAO_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# The office's PDF signature on certificates and receipts (core.signing): PEM key and certificate. Unset, a demo
# key and self-signed certificate are generated into DATA_DIR/signing/ on first use.
SHEBAO_SIGNING_KEY = env_str("SHEBAO_SIGNING_KEY")
SHEBAO_SIGNING_CERT = env_str("SHEBAO_SIGNING_CERT")
SHEBAO_SIGNING_KEY_PASSWORD = env_str("SHEBAO_SIGNING_KEY_PASSWORD")

# REST API (/api/v1/): calls allowed per token, e.g. "120/min" (counted per process in the default cache;
# several processes each count their own unless CACHES names a shared cache).
SHEBAO_API_RATE = env_str("SHEBAO_API_RATE", "120/min")
