"""Settings, 12-factor: every value comes from the environment, with quickstart defaults.

The README's configuration table lists every variable read here.
"""

import secrets
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DATA_DIR = Path(env.str("RADCURATE_DATA_DIR", default=str(BASE_DIR / "var"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _generated_once(name: str, nbytes: int) -> str:
    """A secret made on first start and kept in the data dir, so the quickstart needs no setup."""
    path = DATA_DIR / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(nbytes))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _generated_once("secret_key", 50)
# Key for de-identification (UID mapping, pseudonyms, date shifts): must stay stable for the archive's life.
RADCURATE_DEID_KEY = env.str("RADCURATE_DEID_KEY", default="") or _generated_once("deid_key", 32)

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Behind TLS in production: secure cookies, HSTS, redirect. Off for the plain-HTTP quickstart.
_HTTPS = env.bool("RADCURATE_HTTPS", default=False)
SECURE_SSL_REDIRECT = _HTTPS
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _HTTPS
SECURE_HSTS_PRELOAD = _HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from this server (/api/docs/ works offline)
    "django_vite",
    # The layers, in data-flow order (core is the plumbing below them all).
    "core",
    "curation",
    "reports_nlp",
    "annotation",
    "datasets",
    "frontend",
]

MIDDLEWARE = [
    "core.health.middleware.HealthCheckMiddleware",  # /healthz, /readyz: before host checks and redirects
    "django.middleware.security.SecurityMiddleware",
    "core.compression.JsonCompressionMiddleware",  # DICOM JSON only, never HTML pages (BREACH): see its docstring
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "radcurate.urls"
WSGI_APPLICATION = "radcurate.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.roles",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'radcurate.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Django's database sessions, loaded with a plain query (every frame request loads one), and Django's model
# backend loading a session's user with its roles in one query. (Sessions made under Django's own
# ModelBackend path end at the next request: those users log in once more.)
SESSION_ENGINE = "radcurate.sessions"
AUTHENTICATION_BACKENDS = ["core.backends.RoleModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The images collect static files at build time into their own folder (RADCURATE_STATIC_ROOT=/app/static).
STATIC_ROOT = Path(env.str("RADCURATE_STATIC_ROOT", default=str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request otherwise
STORAGES = {
    "default": {
        "BACKEND": env.str("RADCURATE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": {"location": str(DATA_DIR / "storage")},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Vite names each asset after its content (name-<8-character hash>.js): such a file never changes, so browsers may
# keep it for good instead of asking again on every page.
WHITENOISE_IMMUTABLE_FILE_TEST = r"/dist/assets/.+-[0-9A-Za-z_-]{8}\.(js|css|wasm|mjs)$"
WHITENOISE_MIMETYPES = {".wasm": "application/wasm", ".mjs": "text/javascript"}

# The Cornerstone bundle built by Vite into frontend/static/dist.
DJANGO_VITE = {
    "default": {
        "dev_mode": env.bool("VITE_DEV_MODE", default=False),
        "manifest_path": BASE_DIR / "frontend" / "static" / "dist" / ".vite" / "manifest.json",
        "static_url_prefix": "dist",
    }
}

# Published dataset versions (one directory each); trainers may read them from shared storage.
RADCURATE_DATASETS_DIR = env.str("RADCURATE_DATASETS_DIR", default=str(DATA_DIR / "datasets"))
# Base URL the outside world uses to reach this server, for DICOMweb BulkDataURIs (never the Host header).
RADCURATE_PUBLIC_URL = env.str("RADCURATE_PUBLIC_URL", default="http://127.0.0.1:8000").rstrip("/")
# The DICOM listener lets in only known nodes (DicomNode: AE title + address); on, it accepts any peer (a demo or a
# closed test network only). See docs/archive.md, "DICOM nodes".
RADCURATE_DICOM_ACCEPT_ANY_NODE = env.bool("RADCURATE_DICOM_ACCEPT_ANY_NODE", default=False)
# Largest STOW-RS request body (bytes): larger ones get 413 before (Content-Length) or while (chunked) they are
# read. Bodies stream part by part into the ingest, never held whole in memory.
RADCURATE_STOW_MAX_BYTES = env.int("RADCURATE_STOW_MAX_BYTES", default=2 * 1024**3)
# Stored instance files and their folders are fsynced once per ingest batch, before its rows commit and before
# C-STORE/STOW-RS acknowledge them. Off only for scratch deployments: a power loss may then lose acknowledged files.
RADCURATE_FSYNC = env.bool("RADCURATE_FSYNC", default=True)
# Answers compressed (Brotli or gzip) when the client accepts it: JSON without secrets only (core/compression.py).
RADCURATE_COMPRESS_TYPES = env.list("RADCURATE_COMPRESS_TYPES", default=["application/dicom+json"])
# Instances transcoded for WADO-RS (a lossless syntax a remote viewer asked for) are cached in storage under
# transcoded/; the oldest-written entries are removed beyond this size (a removed one is made again when asked).
RADCURATE_TRANSCODE_CACHE_BYTES = env.int("RADCURATE_TRANSCODE_CACHE_BYTES", default=20 << 30)
RADCURATE_TRANSCODE_CACHE_TRIM_S = env.float("RADCURATE_TRANSCODE_CACHE_TRIM_S", default=600.0)
# Demo mode creates demo users with printed passwords.
RADCURATE_DEMO = env.bool("RADCURATE_DEMO", default=False)
# Zip archives ingested or imported as model runs (core.archives): sized for real uploads, refusing bombs. A
# member holds at most an enhanced multi-frame CT (1 GiB), an archive a few hundred studies (20 GiB, 100,000
# files); deflate reaches ~1,000:1 on zeros while CT compresses 2-4:1, so 200:1 (judged on members over 1 MiB).
RADCURATE_ZIP_MAX_MEMBER_BYTES = env.int("RADCURATE_ZIP_MAX_MEMBER_BYTES", default=1 << 30)
RADCURATE_ZIP_MAX_TOTAL_BYTES = env.int("RADCURATE_ZIP_MAX_TOTAL_BYTES", default=20 << 30)
RADCURATE_ZIP_MAX_MEMBERS = env.int("RADCURATE_ZIP_MAX_MEMBERS", default=100_000)
RADCURATE_ZIP_MAX_RATIO = env.float("RADCURATE_ZIP_MAX_RATIO", default=200.0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "core.pagination.ListPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "core.exception_handler.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "RadCurate API",
    "DESCRIPTION": "Head-CT archive, report mining, multi-reader annotation and dataset export.",
    "VERSION": "0.1.0",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation also documents the errors the API really answers (400/403/404/409/413, see core.schema).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.schema.document_error_responses"],
}

# Celery: Redis in production; with no broker configured, tasks run in-process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)

# The cache every process shares (web and Celery workers), so a table that costs seconds (a campaign's agreement
# statistics) is computed once per version of its data: Redis when the deployment has one (REDIS_URL, else a
# redis:// CELERY_BROKER_URL); without Redis each process keeps its own in memory.
REDIS_URL = env.str("REDIS_URL", default="") or (
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else "")
CACHES = {"default": (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": "radcurate"}
    if REDIS_URL else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"})}
# Without a broker, long tasks sent from a page (exports, priority recomputes) run in a thread of the web process,
# so the page returns at once and shows their progress (core/background.py).
RADCURATE_EAGER_IN_THREAD = env.bool("RADCURATE_EAGER_IN_THREAD", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is redelivered, so long jobs resume
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis hands a task that was delivered and never acknowledged (its worker died) to another worker after this
# many seconds (Redis's default is an hour). It must exceed the longest chunk task (an export chunk of 16 studies
# at 512x512, a mining chunk, an ingest chunk take seconds to a minute or two): a task still running when it
# expires is delivered a second time, which chunks tolerate (they are idempotent) but which wastes a worker.
RADCURATE_TASK_VISIBILITY_S = env.int("RADCURATE_TASK_VISIBILITY_S", default=600)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": RADCURATE_TASK_VISIBILITY_S}
# A long job (export, mining run, upload ingest) with no progress for this long is stalled: the sweep re-queues
# its unfinished chunks, and fails it with the reason after this many tries (the first included).
RADCURATE_JOB_STALL_S = env.float("RADCURATE_JOB_STALL_S", default=900.0)
RADCURATE_JOB_MAX_ATTEMPTS = env.int("RADCURATE_JOB_MAX_ATTEMPTS", default=3)
RADCURATE_JOB_SWEEP_S = env.float("RADCURATE_JOB_SWEEP_S", default=60.0)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="radcurate")
# Periodic tasks, sent by `celery -A radcurate beat` (one beat process per deployment) to the workers.
RADCURATE_RESERVATION_SWEEP_S = env.float("RADCURATE_RESERVATION_SWEEP_S", default=60.0)
CELERY_BEAT_SCHEDULE = {
    # Abandoned reservations are marked expired (their read slot is free from expires_at on regardless).
    "annotation-reservations-expire": {
        "task": "annotation.reservations_expire",
        "schedule": RADCURATE_RESERVATION_SWEEP_S,
        "options": {"expires": RADCURATE_RESERVATION_SWEEP_S},  # a sweep not run in time is dropped, not queued up
    },
    # Stalled long jobs (no heartbeat for RADCURATE_JOB_STALL_S) get their unfinished chunks re-queued.
    "core-jobs-sweep": {
        "task": "core.jobs_sweep",
        "schedule": RADCURATE_JOB_SWEEP_S,
        "options": {"expires": RADCURATE_JOB_SWEEP_S},
    },
    # The WADO-RS transcode cache kept under RADCURATE_TRANSCODE_CACHE_BYTES.
    "curation-transcode-cache-trim": {
        "task": "curation.transcode_cache_trim",
        "schedule": RADCURATE_TRANSCODE_CACHE_TRIM_S,
        "options": {"expires": RADCURATE_TRANSCODE_CACHE_TRIM_S},
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
