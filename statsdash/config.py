"""Load and validate config.yaml into typed objects, failing with one fix-it line per mistake.

A mistake raises one ConfigError reading `<source>: <key path>: <what is wrong>; <how to fix>`,
e.g. `config.yaml: google_analytics.sites.example.com[1].id: "G-..." is not a GA4 property ID; ...`
(YAML syntax errors give `line N:` instead of a key path).

Choices worth knowing:
- A key written with no value (`countries:`) counts as omitted and takes its default.
- Google Analytics credentials: `credentials: FILE` wins; with no `credentials` key the
  service-account JSON under `[gcp_service_account]` in .streamlit/secrets.toml is used.
- `youtube.content_owner_id` is always optional: when it is missing the YouTube client looks it
  up itself (`python -m statsdash discover youtube` prints it), so setting up needs one step fewer.
- Relative paths resolve against the config file's directory; `~` is expanded.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from statsdash.errors import StatsdashError

DEFAULT_COUNTRIES = ("United States", "United Kingdom", "Germany", "France", "Canada", "Australia")
DEFAULT_CACHE_PATH = Path(".statsdash/cache.sqlite")


class ConfigError(StatsdashError):
    """The configuration file is missing or wrong; the message says where and how to fix it."""


@dataclass(frozen=True)
class Property:
    """A GA4 property (digits only) and whether its days wait for all 24 hours of data."""

    id: str
    wait_for_data: bool = True


@dataclass(frozen=True)
class Site:
    """A website reported as one, rolled up from one or more GA4 properties."""

    name: str
    properties: tuple[Property, ...]
    key_events: tuple[str, ...] = ()  # the key events that count for the site; () = all


@dataclass(frozen=True)
class GoogleAnalyticsConfig:
    """The google_analytics section."""

    sites: dict[str, Site]
    credentials: Path | None
    credentials_info: dict | None
    endpoint: str | None
    article_exclude_paths: tuple[str, ...] = ()
    referral_exclude_sources: tuple[str, ...] = ()
    countries: tuple[str, ...] = DEFAULT_COUNTRIES


@dataclass(frozen=True)
class ChannelGroup:
    """YouTube channels reported as one."""

    name: str
    ids: tuple[str, ...]


@dataclass(frozen=True)
class YouTubeConfig:
    """The youtube section."""

    channels: dict[str, ChannelGroup]
    credentials: Path | None
    client_secrets: Path | None
    content_owner_id: str | None
    endpoint: str | None
    # Revenue reports (yt-revenue) and the monetary OAuth scope they need; off by default.
    revenue: bool = False
    currency: str = "USD"  # ISO 4217 code the revenue figures are converted to


@dataclass(frozen=True)
class Brand:
    """Sites and channel groups shown side by side as one brand."""

    name: str
    sites: tuple[str, ...]
    channels: tuple[str, ...]


@dataclass(frozen=True)
class CacheConfig:
    """Where the response cache lives, and whether there is one."""

    enabled: bool = True
    path: Path = DEFAULT_CACHE_PATH
    url: str | None = None  # redis://...: shared by replicas instead of the SQLite file
    recent_ttl: float = 3600.0  # seconds an answer touching still-processing days is kept
    max_mb: float = 512.0  # SQLite file size cap; least recently used answers go first


@dataclass(frozen=True)
class DigestConfig:
    """The digest section: where the Monday e-mail goes and how it is sent. The password is
    never here: `password_env` names the environment variable holding it."""

    smtp_host: str
    smtp_port: int = 587
    starttls: bool = True
    username: str | None = None
    password_env: str | None = None
    sender: str | None = None  # the `from` key
    to: tuple[str, ...] = ()
    app_url: str | None = None


@dataclass(frozen=True)
class AnomalyConfig:
    """The anomalies section: how far from its usual a day must be to be flagged."""

    k: float = 4.0
    min_spread: float = 0.2


@dataclass(frozen=True)
class AccessConfig:
    """Who may open the app once signed in with OIDC (st.login): e-mail domains and addresses,
    lower-case. The CLI ignores it."""

    allowed_domains: tuple[str, ...] = ()
    allowed_emails: tuple[str, ...] = ()

    def allows(self, email: str | None) -> bool:
        if not email or "@" not in email:
            return False
        email = email.strip().lower()
        return email in self.allowed_emails or email.rsplit("@", 1)[1] in self.allowed_domains


@dataclass(frozen=True)
class FetchConfig:
    """How long fetching may take: one request, and a page or export per service."""

    timeout_seconds: float = 30.0
    budget_seconds: float = 60.0
    # Requests one process has in flight per service at most, over all properties (GA4
    # allows 10 per property). 40: a 20-site page's round (40 properties) at once; at 20
    # each round went in two waves, each waiting a whole answer. More raised an export's
    # peak memory (80: +45 MiB at 20 sites, answers parsed at once) for no faster export
    # on 2 cores (its work past the wire is CPU); raise it on more cores.
    max_in_flight: int = 40


@dataclass(frozen=True)
class Config:
    """A whole, validated config.yaml."""

    network_name: str
    cache: CacheConfig
    google_analytics: GoogleAnalyticsConfig | None
    youtube: YouTubeConfig | None
    brands: dict[str, Brand]
    source: str
    digest: DigestConfig | None = None
    anomalies: AnomalyConfig = AnomalyConfig()
    access: AccessConfig | None = None  # None: no sign-in (the app binds to loopback)
    fetch: FetchConfig = FetchConfig()

    def with_endpoint(self, url: str) -> Config:
        """A copy with both services pointed at `url` (demo mode's emulator on a free port)."""
        ga, yt = self.google_analytics, self.youtube
        return replace(
            self,
            google_analytics=replace(ga, endpoint=url) if ga else None,
            youtube=replace(yt, endpoint=url) if yt else None,
        )


def load_config(
    path: str | Path, *, secrets_path: str | Path | None = None, check_files: bool = True
) -> Config:
    """Read and validate a config file; `check_files=False` allows a missing YouTube token."""
    from statsdash.config_parser import one_line, parse_yaml, read_secrets

    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{source}: file not found; copy config.yaml.example to {source} and fill in your "
            "IDs, or add --demo to use the bundled demo network (the app runs in demo mode "
            "when there is no config file)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{source}: cannot read the file ({one_line(exc)})") from None
    base_dir = path.absolute().parent
    secrets_file = Path(secrets_path) if secrets_path else base_dir / ".streamlit/secrets.toml"
    return parse_config(
        parse_yaml(text, source),
        source=source,
        base_dir=base_dir,
        secrets=read_secrets(secrets_file),
        check_files=check_files,
    )


def parse_config(
    data: object,
    *,
    source: str = "config.yaml",
    base_dir: Path = Path("."),
    secrets: dict | None = None,
    check_files: bool = True,
) -> Config:
    """Validate already-parsed YAML; `secrets` is the whole secrets.toml as a dict."""
    from statsdash.config_parser import Parser

    return Parser(source, Path(base_dir), secrets or {}, check_files).config(data)
