"""Settings from the environment, validated once at start.

A wrong value stops the process with one line that names the variable and
says what is wrong. Secrets are `SecretStr` so they never reach a log line or
a repr.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigError(Exception):
    """The environment does not describe a runnable service."""


def _phones(value: str) -> list[str]:
    """`+977 981-234 5678, 9779800000001` → digit strings (a leading + dropped)."""
    out = []
    for part in value.split(","):
        phone = "".join(part.split()).replace("-", "")
        phone = phone[1:] if phone.startswith("+") else phone
        if phone:
            out.append(phone)
    return out


def _check_url(value: str, schemes: tuple[str, ...]) -> str:
    parts = urlsplit(value)
    if parts.scheme not in schemes:
        raise ValueError(f"must start with {' or '.join(s + '://' for s in schemes)}")
    # Postgres and Redis URLs may name a local socket instead of a host.
    if parts.scheme.startswith("http") and not parts.hostname:
        raise ValueError("has no host")
    return value


class Settings(BaseSettings):
    """Every knob of the service; see .env.example for what each one does."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    database_url: str = Field(alias="DATABASE_URL", repr=False)
    redis_url: str = Field(alias="REDIS_URL", repr=False)
    redis_key_prefix: str = Field(default="khaacho:", alias="REDIS_KEY_PREFIX")

    whatsapp_api_url: str = Field(
        default="https://graph.facebook.com/v23.0", alias="WHATSAPP_API_URL"
    )
    whatsapp_phone_number_id: str = Field(default="", alias="WHATSAPP_PHONE_NUMBER_ID")
    # The WhatsApp Business Account whose message templates `khaacho templates` syncs.
    whatsapp_business_account_id: str = Field(default="", pattern=r"^[0-9A-Za-z_-]{0,64}$",
                                              alias="WHATSAPP_BUSINESS_ACCOUNT_ID")
    whatsapp_access_token: SecretStr = Field(default=SecretStr(""), alias="WHATSAPP_ACCESS_TOKEN")
    whatsapp_verify_token: SecretStr = Field(default=SecretStr(""), alias="WHATSAPP_VERIFY_TOKEN")
    whatsapp_app_secret: SecretStr = Field(default=SecretStr(""), alias="WHATSAPP_APP_SECRET")
    whatsapp_max_mps: float = Field(default=80.0, gt=0, le=1000, alias="WHATSAPP_MAX_MPS")

    jwt_secret: SecretStr = Field(default=SecretStr(""), alias="JWT_SECRET")
    admin_origins: str = Field(default="", alias="ADMIN_ORIGINS")
    # console (issue 17): the operator console's sessions and login limits.
    # A session ends after CONSOLE_IDLE_MINUTES without a request, and in any case
    # CONSOLE_SESSION_HOURS after login.
    console_session_hours: float = Field(default=12, gt=0, le=168, alias="CONSOLE_SESSION_HOURS")
    console_idle_minutes: float = Field(default=60, gt=0, le=10080, alias="CONSOLE_IDLE_MINUTES")
    # Failed logins allowed per account and per client IP in the window, then refused.
    console_login_failures: int = Field(default=5, ge=1, le=1000, alias="CONSOLE_LOGIN_FAILURES")
    console_login_ip_failures: int = Field(default=20, ge=1, le=10000,
                                           alias="CONSOLE_LOGIN_IP_FAILURES")
    console_login_window_seconds: float = Field(default=900, gt=0,
                                                alias="CONSOLE_LOGIN_WINDOW_SECONDS")
    # Behind Render's proxy TLS ends at the proxy: trust its X-Forwarded-Proto to
    # know the page was served over HTTPS (and mark the cookie Secure). Off by
    # default: a client could otherwise claim HTTPS itself.
    console_trust_forwarded_proto: bool = Field(default=False,
                                                alias="CONSOLE_TRUST_FORWARDED_PROTO")

    host: str = Field(default="0.0.0.0", alias="HOST")  # noqa: S104 - a server listens on all interfaces
    port: int = Field(default=8080, ge=1, le=65535, alias="PORT")
    worker_health_port: int = Field(default=10001, ge=0, le=65535, alias="WORKER_HEALTH_PORT")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", alias="LOG_LEVEL"
    )

    session_ttl_hours: float = Field(default=24, gt=0, alias="SESSION_TTL_HOURS")
    cart_reminder_minutes: float = Field(default=60, gt=0, alias="CART_REMINDER_MINUTES")
    vendor_accept_minutes: float = Field(default=15, gt=0, alias="VENDOR_ACCEPT_MINUTES")
    # How long a shop has to answer a vendor's smaller order before it goes whole elsewhere.
    change_answer_minutes: float = Field(default=60, gt=0, le=1440,
                                         alias="CHANGE_ANSWER_MINUTES")
    block_after_days_overdue: int = Field(default=15, ge=1, alias="BLOCK_AFTER_DAYS_OVERDUE")
    db_pool_max: int = Field(default=20, ge=2, le=200, alias="DB_POOL_MAX")

    # Ops (issue 8): rate limits held in Redis, and how far to trust X-Forwarded-For.
    admin_rate_limit: int = Field(default=100, ge=1, alias="ADMIN_RATE_LIMIT")
    admin_rate_window_seconds: float = Field(default=900, gt=0, alias="ADMIN_RATE_WINDOW_SECONDS")
    # 20 messages a second for a minute: far above any person. Below it the sender's
    # lock queues a burst fairly (a 1000-message flood is absorbed, others stay
    # fast); past it a scripted flood or reply loop is refused with 429.
    sender_rate_limit: int = Field(default=1200, ge=1, alias="SENDER_RATE_LIMIT")
    sender_rate_window_seconds: float = Field(default=60, gt=0, alias="SENDER_RATE_WINDOW_SECONDS")
    trusted_proxy_hops: int = Field(default=0, ge=0, le=5, alias="TRUSTED_PROXY_HOPS")
    metrics_token: SecretStr = Field(default=SecretStr(""), alias="METRICS_TOKEN")
    # --- inbox branch (issue 15): the conversation workers that work off the inbox.
    # Loops per process (`khaacho serve` runs them unless 0; `khaacho worker --conversations`).
    conversation_workers: int = Field(default=4, ge=0, le=64, alias="CONVERSATION_WORKERS")
    inbox_batch: int = Field(default=8, ge=1, le=1000, alias="INBOX_BATCH")
    inbox_lease_seconds: float = Field(default=30, gt=0, alias="INBOX_LEASE_SECONDS")
    inbox_max_attempts: int = Field(default=3, ge=1, alias="INBOX_MAX_ATTEMPTS")
    inbox_retry_seconds: float = Field(default=2, gt=0, alias="INBOX_RETRY_SECONDS")
    inbox_poll_seconds: float = Field(default=1, gt=0, alias="INBOX_POLL_SECONDS")
    # /api/ready says "degraded" when the oldest unhandled message is older than this.
    inbox_degraded_seconds: float = Field(default=60, gt=0, alias="INBOX_DEGRADED_SECONDS")

    # Money & operators (branch money, issue 14): the WhatsApp numbers told of each
    # operator alert (comma-separated; empty = alerts are only listed by
    # `khaacho alerts`), and how long an accepted or dispatched order may stand
    # before its vendor counts as stuck.
    operator_phones: str = Field(default="", alias="OPERATOR_PHONES")
    stuck_order_hours: float = Field(default=6, gt=0, le=720, alias="STUCK_ORDER_HOURS")

    @field_validator("operator_phones")
    @classmethod
    def _operator_phones(cls, value: str) -> str:
        for phone in _phones(value):
            if not phone.isdigit() or not 6 <= len(phone) <= 15:
                raise ValueError(f"OPERATOR_PHONES: not a WhatsApp number: {phone!r}")
        return value

    @property
    def operator_phone_list(self) -> tuple[str, ...]:
        """The operators' WhatsApp ids (digits, country code first, no +)."""
        return tuple(dict.fromkeys(_phones(self.operator_phones)))
    # harden (issue 19): the longest text the bot parses; a longer one gets a polite
    # reply. 4000 characters hold a hundred-line order list.
    max_text_chars: int = Field(default=4000, ge=200, le=65536, alias="MAX_TEXT_CHARS")
    # harden (issue 19): how long the purge job (jobs/retention.py) keeps rows that
    # are not money records; docs/RETENTION.md. Orders, their items and events,
    # ledger, payments and the audit of money actions are never purged.
    # Inbound ids must outlive WhatsApp's redeliveries (7 days) and the 24 h window.
    retain_inbound_days: int = Field(default=90, ge=8, alias="RETAIN_INBOUND_DAYS")
    # Sent/delivered/read/dead outbox rows (full bodies, phones) and their attempts.
    retain_outbox_days: int = Field(default=90, ge=7, alias="RETAIN_OUTBOX_DAYS")
    retain_session_archive_days: int = Field(default=30, ge=1,
                                             alias="RETAIN_SESSION_ARCHIVE_DAYS")
    # Audit rows of actions that move no money (session resets, outbox retries …).
    retain_audit_days: int = Field(default=365, ge=30, alias="RETAIN_AUDIT_DAYS")
    retain_job_runs_days: int = Field(default=30, ge=1, alias="RETAIN_JOB_RUNS_DAYS")
    retention_batch: int = Field(default=5000, ge=100, le=100_000, alias="RETENTION_BATCH")
    # media (issue 16): the largest file kept in `media_files` (sent or received;
    # Postgres holds it, the instance's disk is discarded on deploy), and how long
    # its bytes are kept (the row, size and sha256 stay).
    media_max_bytes: int = Field(default=16 * 1024 * 1024, ge=64 * 1024, le=100 * 1024 * 1024,
                                 alias="MEDIA_MAX_BYTES")
    retain_media_days: int = Field(default=90, ge=7, alias="RETAIN_MEDIA_DAYS")

    # pay (issue 18): paying from the chat. Each gateway is offered only when its
    # credentials are set; the URLs default to the gateways' sandboxes.
    # PUBLIC_BASE_URL is where customers' browsers reach this web service (Khalti's
    # return_url and eSewa's form links and success/failure URLs are under it).
    public_base_url: str = Field(default="", alias="PUBLIC_BASE_URL")
    payment_link_minutes: float = Field(default=30, ge=5, le=1440, alias="PAYMENT_LINK_MINUTES")
    khalti_secret_key: SecretStr = Field(default=SecretStr(""), alias="KHALTI_SECRET_KEY")
    khalti_api_url: str = Field(default="https://dev.khalti.com/api/v2", alias="KHALTI_API_URL")
    esewa_product_code: str = Field(default="", alias="ESEWA_PRODUCT_CODE")
    esewa_secret_key: SecretStr = Field(default=SecretStr(""), alias="ESEWA_SECRET_KEY")
    esewa_form_url: str = Field(default="https://rc-epay.esewa.com.np/api/epay/main/v2/form",
                                alias="ESEWA_FORM_URL")
    esewa_status_url: str = Field(default="https://rc.esewa.com.np", alias="ESEWA_STATUS_URL")
    fonepay_merchant_code: str = Field(default="", alias="FONEPAY_MERCHANT_CODE")
    fonepay_secret_key: SecretStr = Field(default=SecretStr(""), alias="FONEPAY_SECRET_KEY")
    fonepay_username: str = Field(default="", alias="FONEPAY_USERNAME")
    fonepay_password: SecretStr = Field(default=SecretStr(""), alias="FONEPAY_PASSWORD")
    fonepay_api_url: str = Field(default="https://dev-clientapi.fonepay.com/api/merchantRequest",
                                 alias="FONEPAY_API_URL")

    @field_validator("khalti_api_url", "esewa_form_url", "esewa_status_url", "fonepay_api_url")
    @classmethod
    def _gateway_url(cls, value: str) -> str:
        return _check_url(value, ("http", "https")).rstrip("/")

    @field_validator("public_base_url")
    @classmethod
    def _public_base_url(cls, value: str) -> str:
        return _check_url(value, ("http", "https")).rstrip("/") if value else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return _check_url(value, ("postgres", "postgresql"))

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str) -> str:
        return _check_url(value, ("redis", "rediss", "unix"))

    @field_validator("whatsapp_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        return _check_url(value, ("http", "https")).rstrip("/")

    @property
    def admin_origin_list(self) -> tuple[str, ...]:
        """Origins allowed to call the admin API from a browser."""
        return tuple(o.strip() for o in self.admin_origins.split(",") if o.strip())


def load_settings(**overrides: object) -> Settings:
    """Read the environment; raise ConfigError naming each bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = err.get("loc") or ("?",)
            name = str(loc[0]).upper()
            msg = "is not set" if err["type"] == "missing" else err["msg"]
            msg = msg.removeprefix("Value error, ")
            problems.append(f"{name} {msg}")
        raise ConfigError("; ".join(problems)) from None
