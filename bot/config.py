"""Settings from the environment, with safe development defaults."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
# Where Twilio serves the files families send (MediaUrl0…): only these become links.
TWILIO_MEDIA_HOSTS = ("api.twilio.com", "media.twiliocdn.com")
# A hearing reminder: days or hours before it ("7d", "2h"), or the morning of ("morning").
HEARING_REMINDER = re.compile(r"^(?:[1-9]\d?[dh]|morning)$")
HOST_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")


class ConfigError(Exception):
    """A setting is missing or wrong; the message names it and says how to fix it."""


@dataclass
class Settings:
    """Every setting the hotline reads (see README, "Settings")."""

    env: str = "development"
    database_url: str = ""
    database_prepare: bool = True  # off behind PgBouncer in transaction mode (see db.py)
    secret_key: str = ""
    data_keys: list[str] = field(default_factory=list)
    public_base_url: str = ""
    hotline_name: str = "Family Hotline"
    timezone: str = "America/New_York"
    idle_hours: float = 24.0
    retention_days: int = 90
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from_number: str = ""
    twilio_whatsapp_from: str = ""
    twilio_messaging_service_sid: str = ""
    twilio_api_base_url: str = ""
    twilio_whatsapp_template_sid: str = ""
    send_rate: float = 1.0
    send_max_attempts: int = 10
    send_timeout: float = 15.0
    outbox_lease: float = 60.0
    send_concurrency: int = 8
    smtp_url: str = ""
    webhook_url: str = ""
    webhook_secret: str = ""
    escalate_minutes: float = 10.0
    escalate_urgent_minutes: float = 3.0
    policy_max_age_days: int = 180
    # An estimate for `hotline stats`: Twilio's US price per outbound SMS segment (USD),
    # before carrier fees. Set your own from your Twilio bill.
    sms_segment_price: float = 0.0083
    proxies: int = 0
    media_hosts: list[str] = field(default_factory=lambda: list(TWILIO_MEDIA_HOSTS))
    libretranslate_url: str = ""  # no server: no machine translation, nothing leaves
    libretranslate_api_key: str = ""
    libretranslate_timeout: float = 3.0
    hearing_reminders: list[str] = field(default_factory=lambda: ["7d", "1d", "morning"])
    court_timezone: str = ""  # hearings' time zone unless the advocate picks one; "" = timezone
    metrics_token: str = ""  # serves /metrics to this bearer token; off when empty
    metrics_dir: str = ""  # prometheus_client's PROMETHEUS_MULTIPROC_DIR, checked here
    flows_dir: Path = ROOT / "flows"
    locales_dir: Path = ROOT / "locales"
    resources_dir: Path = ROOT / "resources"
    instance_path: Path = ROOT / "instance"

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


# Environment variable → Settings field.
ENVIRONMENT = {
    "HOTLINE_ENV": "env",
    "DATABASE_URL": "database_url",
    "DATABASE_PREPARE": "database_prepare",
    "HOTLINE_SECRET_KEY": "secret_key",
    "HOTLINE_DATA_KEYS": "data_keys",
    "PUBLIC_BASE_URL": "public_base_url",
    "HOTLINE_NAME": "hotline_name",
    "HOTLINE_TIMEZONE": "timezone",
    "HOTLINE_IDLE_HOURS": "idle_hours",
    "HOTLINE_RETENTION_DAYS": "retention_days",
    "TWILIO_ACCOUNT_SID": "twilio_account_sid",
    "TWILIO_AUTH_TOKEN": "twilio_auth_token",
    "TWILIO_FROM_NUMBER": "twilio_from_number",
    "TWILIO_WHATSAPP_FROM": "twilio_whatsapp_from",
    "TWILIO_MESSAGING_SERVICE_SID": "twilio_messaging_service_sid",
    "TWILIO_API_BASE_URL": "twilio_api_base_url",
    "TWILIO_WHATSAPP_TEMPLATE_SID": "twilio_whatsapp_template_sid",
    "HOTLINE_SEND_RATE": "send_rate",
    "HOTLINE_SEND_MAX_ATTEMPTS": "send_max_attempts",
    "HOTLINE_SEND_TIMEOUT": "send_timeout",
    "HOTLINE_OUTBOX_LEASE": "outbox_lease",
    "HOTLINE_SEND_CONCURRENCY": "send_concurrency",
    "SMTP_URL": "smtp_url",
    "HOTLINE_WEBHOOK_URL": "webhook_url",
    "HOTLINE_WEBHOOK_SECRET": "webhook_secret",
    "HOTLINE_ESCALATE_MINUTES": "escalate_minutes",
    "HOTLINE_ESCALATE_URGENT_MINUTES": "escalate_urgent_minutes",
    "HOTLINE_POLICY_MAX_AGE_DAYS": "policy_max_age_days",
    "HOTLINE_SMS_SEGMENT_PRICE": "sms_segment_price",
    "HOTLINE_PROXIES": "proxies",
    "HOTLINE_MEDIA_HOSTS": "media_hosts",
    "LIBRETRANSLATE_URL": "libretranslate_url",
    "LIBRETRANSLATE_API_KEY": "libretranslate_api_key",
    "LIBRETRANSLATE_TIMEOUT": "libretranslate_timeout",
    "HOTLINE_HEARING_REMINDERS": "hearing_reminders",
    "HOTLINE_COURT_TIMEZONE": "court_timezone",
    "HOTLINE_METRICS_TOKEN": "metrics_token",
    "PROMETHEUS_MULTIPROC_DIR": "metrics_dir",
    "HOTLINE_FLOWS_DIR": "flows_dir",
    "HOTLINE_LOCALES_DIR": "locales_dir",
    "HOTLINE_RESOURCES_DIR": "resources_dir",
}


def _convert(name: str, env_name: str, raw: object, kind: type | str) -> object:
    if not isinstance(raw, str):
        return raw
    value = raw.strip()
    try:
        if kind in (float, "float"):
            return float(value)
        if kind in (int, "int"):
            return int(value)
    except ValueError:
        raise ConfigError(f"{env_name} must be a number, not {value!r}") from None
    if kind in (Path, "Path"):
        return Path(value)
    if kind in (bool, "bool"):
        return _switch(env_name, value)
    if name == "data_keys":
        return [k.strip() for k in value.split(",") if k.strip()]
    if name == "media_hosts":
        return [h.strip().lower() for h in value.split(",") if h.strip()]
    if name == "hearing_reminders":  # "none": no reminders at all
        words = [w.strip().lower() for w in value.split(",") if w.strip()]
        return [] if words == ["none"] else words
    return value


ON_WORDS = ("on", "true", "yes", "1")
OFF_WORDS = ("off", "false", "no", "0")


def _switch(env_name: str, value: str) -> bool:
    if value.lower() in ON_WORDS:
        return True
    if value.lower() in OFF_WORDS:
        return False
    raise ConfigError(f"{env_name} must be on or off, not {value!r}")


def private_folder(folder: Path) -> None:
    """instance/ holds the keys and the database: the owner's alone (0700)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_mode & 0o077 and folder.stat().st_uid == os.getuid():
        folder.chmod(0o700)


def _instance_secret(path: Path, make: callable) -> str:
    """A development secret kept in instance/, created on first use."""
    if path.exists():
        if path.stat().st_mode & 0o077:
            raise ConfigError(
                f"{path} can be read by other users of this machine, and it unlocks every "
                f"stored message: run `chmod 600 {path}`"
            )
        return path.read_text().strip()
    private_folder(path.parent)
    value = make()
    # Written with owner-only permissions: it unlocks every stored message.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


def load_settings(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, object] | None = None
) -> Settings:
    """Read settings from the environment (and test overrides), check them, fill dev defaults."""
    environ = os.environ if environ is None else environ
    settings = Settings()
    kinds = {f.name: f.type for f in fields(Settings)}
    for env_name, name in ENVIRONMENT.items():
        if environ.get(env_name, "").strip():
            setattr(settings, name, _convert(name, env_name, environ[env_name], kinds[name]))
    for name, value in (overrides or {}).items():
        if name not in kinds:
            raise ConfigError(f"unknown setting {name!r}")
        setattr(settings, name, _convert(name, name, value, kinds[name]))
    _check(settings)
    return settings


def content_dirs(environ: Mapping[str, str] | None = None) -> tuple[Path, Path]:
    """The locales and flows folders, as the app would use them, without the other settings.

    The translators' commands need no database, no keys and no Twilio account.
    """
    environ = os.environ if environ is None else environ
    defaults = Settings()
    locales_dir = environ.get("HOTLINE_LOCALES_DIR", "").strip() or defaults.locales_dir
    flows_dir = environ.get("HOTLINE_FLOWS_DIR", "").strip() or defaults.flows_dir
    return Path(locales_dir), Path(flows_dir)


def resources_dir(environ: Mapping[str, str] | None = None) -> Path:
    """The resource directory's folder, as the app would use it (no other setting needed)."""
    environ = os.environ if environ is None else environ
    return Path(environ.get("HOTLINE_RESOURCES_DIR", "").strip() or Settings().resources_dir)


def policy_max_age_days(environ: Mapping[str, str] | None = None) -> int:
    """How old a review of the legal text may be before `locales check` warns (no app needed)."""
    environ = os.environ if environ is None else environ
    raw = environ.get("HOTLINE_POLICY_MAX_AGE_DAYS", "").strip()
    if not raw:
        return Settings().policy_max_age_days
    days = _convert("policy_max_age_days", "HOTLINE_POLICY_MAX_AGE_DAYS", raw, int)
    assert isinstance(days, int)
    if days < 1:
        raise ConfigError(f"HOTLINE_POLICY_MAX_AGE_DAYS must be 1 or more days, not {raw!r}")
    return days


def _check_translation(settings: Settings) -> None:
    url = settings.libretranslate_url
    if url and not url.startswith(("http://", "https://")) or url.count("://") > 1:
        raise ConfigError(
            f"LIBRETRANSLATE_URL must be the address of your LibreTranslate server, like "
            f"http://127.0.0.1:5000, not {url!r}"
        )
    if not 0 < settings.libretranslate_timeout <= 30:
        raise ConfigError(
            "LIBRETRANSLATE_TIMEOUT must be above 0 and at most 30 seconds (pages wait for it), "
            f"not {settings.libretranslate_timeout}"
        )
    settings.libretranslate_url = url.rstrip("/")


def _check_hearings(settings: Settings) -> None:
    wrong = [w for w in settings.hearing_reminders if not HEARING_REMINDER.match(w)]
    if wrong:
        raise ConfigError(
            "HOTLINE_HEARING_REMINDERS must be times before a hearing separated by commas, like "
            f"7d,1d,morning (days: 1d to 99d, hours: 1h to 99h), not {','.join(wrong)!r}"
        )
    if settings.court_timezone:
        try:
            ZoneInfo(settings.court_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"HOTLINE_COURT_TIMEZONE {settings.court_timezone!r} is not a time zone like "
                "America/Chicago"
            ) from None


def _check_database_url(url: str) -> None:
    """DATABASE_URL's own options (``?prepare_threshold=none`` behind PgBouncer)."""
    if not url.startswith("postgres"):
        return
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from .storage.db import normalise_url, prepare_threshold

    try:
        prepare_threshold(make_url(normalise_url(url)))
    except ArgumentError:
        raise ConfigError("DATABASE_URL must look like postgresql://user@host:5432/name") from None
    except ValueError as error:
        raise ConfigError(str(error)) from None


def _check(settings: Settings) -> None:
    if settings.env not in ("development", "production"):
        raise ConfigError(f"HOTLINE_ENV must be development or production, not {settings.env!r}")
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"HOTLINE_TIMEZONE {settings.timezone!r} is not a time zone like America/New_York"
        ) from None
    _check_hearings(settings)
    if settings.idle_hours <= 0 or settings.retention_days <= 0:
        raise ConfigError("HOTLINE_IDLE_HOURS and HOTLINE_RETENTION_DAYS must be above zero")
    if settings.escalate_minutes <= 0 or settings.escalate_urgent_minutes <= 0:
        raise ConfigError(
            "HOTLINE_ESCALATE_MINUTES and HOTLINE_ESCALATE_URGENT_MINUTES must be above zero"
        )
    if not 0 <= settings.sms_segment_price < 10:
        raise ConfigError(
            "HOTLINE_SMS_SEGMENT_PRICE must be the price of one SMS segment in US dollars, "
            f"like 0.0083, not {settings.sms_segment_price}"
        )
    if settings.webhook_url and not settings.webhook_url.startswith(("http://", "https://")):
        raise ConfigError("HOTLINE_WEBHOOK_URL must start with https://")
    if settings.webhook_url and len(settings.webhook_secret) < 16:
        raise ConfigError(
            "HOTLINE_WEBHOOK_URL needs HOTLINE_WEBHOOK_SECRET (at least 16 random characters): "
            "the receiver checks the signature to know a post came from the hotline"
        )
    if settings.smtp_url and not settings.smtp_url.startswith(("smtp://", "smtps://")):
        raise ConfigError("SMTP_URL must look like smtp://user:password@host:587 or smtps://…")
    if settings.send_rate < 0 or settings.send_max_attempts < 1 or settings.send_timeout <= 0:
        raise ConfigError(
            "HOTLINE_SEND_RATE must be 0 (no limit) or more, HOTLINE_SEND_MAX_ATTEMPTS at least 1 "
            "and HOTLINE_SEND_TIMEOUT above zero"
        )
    if settings.outbox_lease < settings.send_timeout + 5:
        raise ConfigError(
            "HOTLINE_OUTBOX_LEASE must be at least HOTLINE_SEND_TIMEOUT + 5 seconds: a worker "
            "must finish a send before another may take the message over"
        )
    if not 1 <= settings.send_concurrency <= 64:
        raise ConfigError(
            "HOTLINE_SEND_CONCURRENCY must be how many messages one outbox worker sends at once "
            f"when HOTLINE_SEND_RATE is 0, from 1 to 64, not {settings.send_concurrency}"
        )
    if settings.twilio_api_base_url and not settings.twilio_api_base_url.startswith(
        ("http://", "https://")
    ):
        raise ConfigError("TWILIO_API_BASE_URL must start with https:// or http://")
    if not 0 <= settings.proxies <= 10:
        raise ConfigError(
            f"HOTLINE_PROXIES must be the number of proxies in front of the hotline (0 when "
            f"none, 1 on Heroku-style platforms), not {settings.proxies}"
        )
    wrong_hosts = [host for host in settings.media_hosts if not HOST_NAME.match(host)]
    if wrong_hosts or not settings.media_hosts:
        raise ConfigError(
            "HOTLINE_MEDIA_HOSTS must be host names separated by commas, like "
            f"api.twilio.com,media.twiliocdn.com, not {','.join(wrong_hosts)!r}"
        )
    _check_metrics(settings)
    if settings.public_base_url and not settings.public_base_url.startswith(("http://", "https://")):
        raise ConfigError("PUBLIC_BASE_URL must start with https:// (or http:// for local tests)")
    settings.public_base_url = settings.public_base_url.rstrip("/")
    _check_translation(settings)
    if settings.production:
        missing = [
            env
            for env, name in (
                ("TWILIO_AUTH_TOKEN", "twilio_auth_token"),
                ("HOTLINE_SECRET_KEY", "secret_key"),
                ("HOTLINE_DATA_KEYS", "data_keys"),
            )
            if not getattr(settings, name)
        ]
        if missing:
            raise ConfigError(
                "HOTLINE_ENV=production needs " + ", ".join(missing) + ": without "
                "TWILIO_AUTH_TOKEN anyone could post fake messages to the webhook, and without "
                "the keys sessions and stored messages are not protected"
            )
        if len(settings.secret_key) < 16:
            raise ConfigError("HOTLINE_SECRET_KEY is too short: use at least 32 random characters")
    _check_database_url(settings.database_url)
    instance = settings.instance_path
    if not settings.database_url:
        settings.database_url = f"sqlite:///{instance / 'hotline.db'}"
    if not settings.secret_key:
        settings.secret_key = _instance_secret(instance / "secret_key", secrets.token_urlsafe)
    if not settings.data_keys:
        key = _instance_secret(instance / "data.key", lambda: Fernet.generate_key().decode())
        settings.data_keys = [key]


def _check_metrics(settings: Settings) -> None:
    token = settings.metrics_token
    if token and (len(token) < 24 or not token.isascii() or any(c.isspace() for c in token)):
        raise ConfigError(
            "HOTLINE_METRICS_TOKEN must be at least 24 random characters without spaces, e.g. "
            "from `python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
        )
    folder = settings.metrics_dir
    if folder and not (os.path.isdir(folder) and os.access(folder, os.W_OK)):
        raise ConfigError(
            f"PROMETHEUS_MULTIPROC_DIR {folder!r} must be a folder the hotline can write to "
            "(gunicorn.conf.py makes one when it is unset)"
        )
