"""Settings, read from the environment (design §4).

DATABASE_URL (default sqlite:///var/dangjian.sqlite3 under the project), SECRET_KEY, DEBUG, ALLOWED_HOSTS,
DANGJIAN_MEDIA_ROOT. Production is any run with DEBUG off: then every hardening switch is on by default.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("DANGJIAN_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
# The development key is refused by the deploy check (dangjian.core.checks) whenever DEBUG is off.
INSECURE_DEV_KEY = "dev-only-insecure-key-change-me-" + "x" * 32
SECRET_KEY = os.environ.get("SECRET_KEY") or INSECURE_DEV_KEY
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "dangjian.core",
    "dangjian.orgs",
    "dangjian.accounts",
    "dangjian.members",
    "dangjian.activities",
    "dangjian.recruitment",
    "dangjian.compliance",
    "dangjian.study",
    "dangjian.duties",
    "dangjian.supervision",
    "dangjian.honors",
    "dangjian.dues",
    "dangjian.reports",
    "dangjian.notify",
    "dangjian.engagement",
    "dangjian.site",
    "django_tasks",
    "django_tasks_db",
    "dangjian.jobs",
    "dangjian.demo",  # seed_demo only; production may drop it together with dangjian.bench (gen_scale seeds it)
    "dangjian.bench",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dangjian.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "dangjian.accounts.middleware.AccountSecurityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dangjian.urls"
WSGI_APPLICATION = "dangjian.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "accounts:login"

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
                "dangjian.core.context_processors.site",
            ],
        },
    }
]

# --- database -------------------------------------------------------------------------------------------
DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'dangjian.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(os.environ.get("DATABASE_URL", DEFAULT_SQLITE), conn_max_age=60)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: a write transaction takes the lock at BEGIN, so the audit hash chain and counters
        # never race; WAL lets readers go on while one writer works.
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("DANGJIAN_TEST_SQLITE") or None}
# A read replica (issue 20 part 3): the dashboard, the yearly report and exports read from it
# (`core.replica`); writes, and the data versions that decide whether a memoised figure is fresh, stay on the
# primary, and a figure whose tables the replica has not caught up with is computed on the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["dangjian.core.replica.ReplicaRouter"]
# How many app nodes serve this database behind a load balancer: above 1, `check --deploy` warns about state
# kept on one machine (caches, uploads).
DANGJIAN_NODES = int(os.environ.get("DANGJIAN_NODES", "1") or 1)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- caches ---------------------------------------------------------------------------------------------
# "memo": small computed results shared by the worker processes (core.memo, keyed by data versions, so never
# stale); files under var/ need no extra service on an intranet machine.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "memo": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "memo-cache"),
        "TIMEOUT": 7 * 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}

# With REDIS_URL, both caches live on Redis and are shared by every process and node: login and upload rate
# limits count across nodes, and a figure memoised on one node is reused (and invalidated) on all.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "dangjian",
        },
        "memo": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "dangjian-memo",
            "TIMEOUT": 7 * 24 * 3600,
        },
    }

# --- jobs (dangjian.jobs) --------------------------------------------------------------------------------
# Long work runs as jobs on django-tasks: by default the database queue (no extra service; `dangjian worker`
# runs it), on Redis through RQ when REDIS_URL is set (the same `dangjian worker` then runs RQ's worker).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 6 * 3600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# --- i18n -----------------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "Y年n月j日"
SHORT_DATE_FORMAT = "Y-m-d"
FORMAT_MODULE_PATH = ["dangjian.formats"]  # ISO first for date inputs (dangjian/formats/zh_Hans/formats.py)

# --- static and media -------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DANGJIAN_STATIC_ROOT", VAR_DIR / "static"))
MEDIA_ROOT = Path(os.environ.get("DANGJIAN_MEDIA_ROOT", VAR_DIR / "media"))

# --- the audit chain's key and checkpoint (docs/deploy.md): outside the database, never in a backup ----------
DANGJIAN_AUDIT_KEY = os.environ.get("DANGJIAN_AUDIT_KEY", "")
DANGJIAN_AUDIT_KEY_FILE = Path(os.environ.get("DANGJIAN_AUDIT_KEY_FILE", VAR_DIR / "audit.key"))
DANGJIAN_AUDIT_CHECKPOINT = Path(
    os.environ.get("DANGJIAN_AUDIT_CHECKPOINT", VAR_DIR / "audit-checkpoint.json")
)
# Uploaded files are never served by URL: views check scope and stream them.
MEDIA_URL = "/files/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or env_bool("DANGJIAN_PLAIN_STATIC", False)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DANGJIAN_UPLOAD_MAX_BYTES = int(os.environ.get("DANGJIAN_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
DANGJIAN_IMPORT_MAX_BYTES = int(os.environ.get("DANGJIAN_IMPORT_MAX_BYTES", 30 * 1024 * 1024))

# --- authentication and sessions ----------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "dangjian.accounts.passwords.ComplexityValidator"},
    {"NAME": "dangjian.accounts.passwords.NoUsernameValidator"},
    {"NAME": "dangjian.accounts.passwords.HistoryValidator"},
]
PASSWORD_EXPIRY_DAYS = int(os.environ.get("DANGJIAN_PASSWORD_EXPIRY_DAYS", 90))
PASSWORD_HISTORY = 5
SESSION_IDLE_TIMEOUT = int(os.environ.get("DANGJIAN_SESSION_IDLE_SECONDS", 30 * 60))
SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Lockout (等保三级 登录失败处理): 5 failures of one username from one client address lock that pair for 30
# minutes counted from the last counted failure; attempts during the lockout are refused and audited but do not
# extend it. The pair, not the username alone (issue 14): otherwise anyone could lock the bureau admin or the 三员
# out by typing five wrong passwords. Guessing from many addresses meets the per-username delay instead
# (DANGJIAN_LOGIN_DELAY_*, dangjian/accounts/lockout.py).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours: 30 minutes
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "dangjian.accounts.views.auth.lockout_response"
AXES_VERBOSE = False
# The client address for the lockout records and the audit log: REMOTE_ADDR, unless DANGJIAN_PROXY_COUNT says
# how many trusted reverse proxies append to X-Forwarded-For (otherwise that header could be forged).
AXES_CLIENT_IP_CALLABLE = "dangjian.accounts.lockout.client_ip"
# The lockout records keep a keyed digest instead of a username that names no account (issue 14 item 13).
AXES_USERNAME_CALLABLE = "dangjian.accounts.lockout.stored_username"
DANGJIAN_PROXY_COUNT = int(os.environ.get("DANGJIAN_PROXY_COUNT", 0))
# Per-username delay: beyond AXES_FAILURE_LIMIT failures of a username (only possible from several addresses;
# all together, within the cool-off time) the next try waits 2, 4, 8 … seconds after the last failure, at most 60.
DANGJIAN_LOGIN_DELAY_AFTER = AXES_FAILURE_LIMIT
DANGJIAN_LOGIN_DELAY_MAX_SECONDS = 60
OTP_TOTP_ISSUER = "党建工作管理平台"
DANGJIAN_REQUIRE_OTP_FOR_ADMINS = env_bool("DANGJIAN_REQUIRE_OTP_FOR_ADMINS", False)

# --- web hardening ----------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
TLS = env_bool("DANGJIAN_TLS", not DEBUG)
if TLS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DANGJIAN_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("DANGJIAN_HSTS_SECONDS", 31536000))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]


# --- notifications ---------------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("DANGJIAN_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "dangjian@localhost")
DANGJIAN_EMAIL_ENABLED = env_bool("DANGJIAN_EMAIL_ENABLED", False)
DANGJIAN_WEBHOOK_URL = os.environ.get("DANGJIAN_WEBHOOK_URL", "")
DANGJIAN_WEBHOOK_KIND = os.environ.get("DANGJIAN_WEBHOOK_KIND", "wecom")  # wecom | dingtalk
# Group robots may post only to 企业微信 / 钉钉, the host of DANGJIAN_WEBHOOK_URL and the hosts listed here
# (comma-separated, e.g. an intranet gateway with a private address); any other host must resolve to public
# addresses only (notify/channels.py: no requests from `remind` into the internal network).
DANGJIAN_WEBHOOK_ALLOWED_HOSTS = [
    h.strip().lower() for h in os.environ.get("DANGJIAN_WEBHOOK_ALLOWED_HOSTS", "").split(",") if h.strip()
]
# Personal messages (issue 19 part 3; dangjian/notify/personal.py). 企业微信 应用消息: the corp id, the application's
# agent id and secret; DANGJIAN_WECOM_API for an intranet proxy of qyapi.weixin.qq.com. A person's 企业微信 account
# (UserID) is entered in their 通知设置; DANGJIAN_WECOM_USERID_DEFAULT (username | phone) names the account field
# used when they have entered none (many organisations use the 工号 or the mobile number as UserID).
DANGJIAN_WECOM_API = os.environ.get("DANGJIAN_WECOM_API", "https://qyapi.weixin.qq.com").rstrip("/")
DANGJIAN_WECOM_CORP_ID = os.environ.get("DANGJIAN_WECOM_CORP_ID", "")
DANGJIAN_WECOM_AGENT_ID = os.environ.get("DANGJIAN_WECOM_AGENT_ID", "")
DANGJIAN_WECOM_SECRET = os.environ.get("DANGJIAN_WECOM_SECRET", "")
DANGJIAN_WECOM_USERID_DEFAULT = os.environ.get("DANGJIAN_WECOM_USERID_DEFAULT", "")
# A generic SMS gateway: an HTTP request template with {phone} and {text} (URL-encoded in the address and in a
# form body, JSON-escaped in a JSON body). DANGJIAN_SMS_SUCCESS: text the answer must contain to count as sent
# (empty: any 2xx). DANGJIAN_SMS_HEADER: one extra header ("Authorization: Bearer …"). DANGJIAN_SMS_SIGN: the
# signature the gateway requires at the start of every text, e.g. 【某某县商务局】.
DANGJIAN_SMS_URL = os.environ.get("DANGJIAN_SMS_URL", "")
DANGJIAN_SMS_METHOD = os.environ.get("DANGJIAN_SMS_METHOD", "POST").upper()
DANGJIAN_SMS_BODY = os.environ.get("DANGJIAN_SMS_BODY", "")
DANGJIAN_SMS_CONTENT_TYPE = os.environ.get("DANGJIAN_SMS_CONTENT_TYPE", "application/json; charset=utf-8")
DANGJIAN_SMS_HEADER = os.environ.get("DANGJIAN_SMS_HEADER", "")
DANGJIAN_SMS_SUCCESS = os.environ.get("DANGJIAN_SMS_SUCCESS", "")
DANGJIAN_SMS_SIGN = os.environ.get("DANGJIAN_SMS_SIGN", "")
# The site's address as people reach it (https://dj.example.gov.cn): links in 企业微信 and 短信 messages.
DANGJIAN_SITE_URL = os.environ.get("DANGJIAN_SITE_URL", "").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DANGJIAN_LOG_LEVEL", "WARNING")},
    # Each audit checkpoint is logged too (core.audit.save_checkpoint): a second copy outside the database.
    "loggers": {"dangjian.audit": {"level": os.environ.get("DANGJIAN_AUDIT_LOG_LEVEL", "INFO")}},
}
