"""The validating parser behind `statsdash.config`: YAML and secrets reading, key checks, and
one fix-it ConfigError per mistake (see `statsdash.config` for the message format)."""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import yaml

from statsdash.config import (
    DEFAULT_CACHE_PATH,
    DEFAULT_COUNTRIES,
    AccessConfig,
    AnomalyConfig,
    Brand,
    CacheConfig,
    ChannelGroup,
    Config,
    ConfigError,
    DigestConfig,
    FetchConfig,
    GoogleAnalyticsConfig,
    Property,
    Site,
    YouTubeConfig,
)

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
TOP_KEYS = (
    "network_name",
    "cache",
    "google_analytics",
    "youtube",
    "brands",
    "digest",
    "anomalies",
    "access",
    "fetch",
)
DIGEST_KEYS = (
    "smtp_host",
    "smtp_port",
    "starttls",
    "username",
    "password_env",
    "from",
    "to",
    "app_url",
)
ANOMALY_KEYS = ("k", "min_spread")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
ACCESS_KEYS = ("allowed_domains", "allowed_emails")
CACHE_KEYS = ("enabled", "path", "url", "recent_ttl", "max_mb")
FETCH_KEYS = ("timeout_seconds", "budget_seconds", "max_in_flight")
GA_KEYS = (
    "credentials",
    "endpoint",
    "sites",
    "article_exclude_paths",
    "referral_exclude_sources",
    "countries",
)
PROPERTY_KEYS = ("id", "wait_for_data")
KEY_EVENTS = "key_events"  # a site's list may hold one {key_events: [...]} beside its IDs
MAX_KEY_EVENTS = 3  # statsdash.ga.tables.MAX_LISTED_KEY_EVENTS
YOUTUBE_KEYS = (
    "credentials",
    "client_secrets",
    "content_owner_id",
    "endpoint",
    "channels",
    "revenue",
    "currency",
)
BRAND_KEYS = ("sites", "channels")

PROPERTY_ID = re.compile(r"[0-9]+")
EVENT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}")  # GA4's event name rule
CHANNEL_ID = re.compile(r"UC[A-Za-z0-9_-]{22}")
PROPERTY_ID_HELP = (
    "a GA4 property ID is digits like 123456789, found in GA Admin > Property settings "
    "(a Measurement ID like G-7F1AE12JLR is not one)"
)
CHANNEL_ID_HELP = (
    'a channel ID is "UC" plus 22 letters, digits, "-" or "_", found in YouTube Studio > '
    "Settings > Channel > Advanced settings (a handle like @name is not one)"
)


class _DuplicateKeyError(yaml.constructor.ConstructorError):
    """The same key twice in one YAML mapping, which PyYAML would silently reduce to the last."""


class _Loader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise _DuplicateKeyError(
                        problem=f"{_show(key)} appears twice in the same mapping; YAML would keep "
                        "only the last one, so merge the two or rename one",
                        problem_mark=key_node.start_mark,
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def parse_yaml(text: str, source: str) -> object:
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        if isinstance(exc, _DuplicateKeyError):
            raise ConfigError(f"{source}: {where}{exc.problem}") from None
        problem = one_line(getattr(exc, "problem", None) or exc)
        raise ConfigError(
            f"{source}: {where}YAML syntax error: {problem}; check the indentation (spaces, "
            "not tabs), colons and quotes there"
        ) from None


def read_secrets(path: Path) -> dict:
    if not path.is_file():
        return {}
    import tomllib  # only with a secrets file: its regular expressions cost ~10 ms to import

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the secrets file ({one_line(exc)})") from None


def one_line(value: object) -> str:
    return " ".join(str(value).split())


def _show(value: object) -> str:
    """A value as the user wrote it, for messages."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return "nothing" if value is None else str(value)


def _not_a(value: object, what: str) -> str:
    return f"missing {what}" if value is None else f"{_show(value)} is not a {what}"


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if value == "":
        return "empty text"
    if isinstance(value, bool):
        return "true/false"
    kinds = {str: "text", int: "a number", float: "a number", list: "a list", dict: "a mapping"}
    return kinds.get(type(value), type(value).__name__)


def _get(data: dict, key: str, default: object = None) -> object:
    """A key's value; a key written with no value counts as omitted."""
    value = data.get(key)
    return default if value is None else value


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_none(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower() == "none"


class Parser:
    """Walks the parsed YAML, keeping the key path so each error can say where it is."""

    def __init__(self, source: str, base_dir: Path, secrets: dict, check_files: bool):
        self.source = source
        self.base_dir = base_dir
        self.secrets = secrets
        self.check_files = check_files

    def error(self, path: str, message: str) -> ConfigError:
        return ConfigError(
            f"{self.source}: {path}: {message}" if path else f"{self.source}: {message}"
        )

    # Sections

    def config(self, data: object) -> Config:
        if not isinstance(data, dict):
            raise self.error(
                "",
                "the top level must be a mapping of sections like google_analytics and youtube; "
                f"found {_kind(data)} (start from a copy of config.yaml.example)",
            )
        top = self.mapping(data, "", TOP_KEYS, "")
        ga, yt = _get(top, "google_analytics"), _get(top, "youtube")
        if ga is None and yt is None:
            raise self.error(
                "",
                "has neither a google_analytics nor a youtube section; configure at least one "
                "(see config.yaml.example)",
            )
        ga = None if ga is None else self.google_analytics(ga)
        yt = None if yt is None else self.youtube(yt)
        return Config(
            network_name=self.text(_get(top, "network_name", "Network"), "network_name"),
            cache=self.cache(_get(top, "cache", {})),
            google_analytics=ga,
            youtube=yt,
            brands=self.brands(_get(top, "brands", {}), ga, yt),
            source=self.source,
            digest=None if _get(top, "digest") is None else self.digest(_get(top, "digest")),
            anomalies=self.anomalies(_get(top, "anomalies", {})),
            access=None if _get(top, "access") is None else self.access(top["access"]),
            fetch=self.fetch(_get(top, "fetch", {})),
        )

    def fetch(self, data: object) -> FetchConfig:
        fetch = self.mapping(data, "fetch", FETCH_KEYS, "like {budget_seconds: 60}")
        default = FetchConfig()
        return FetchConfig(
            timeout_seconds=self.seconds(
                _get(fetch, "timeout_seconds", default.timeout_seconds), "fetch.timeout_seconds"
            ),
            budget_seconds=self.seconds(
                _get(fetch, "budget_seconds", default.budget_seconds), "fetch.budget_seconds"
            ),
            max_in_flight=self.count(
                _get(fetch, "max_in_flight", default.max_in_flight), "fetch.max_in_flight"
            ),
        )

    def digest(self, data: object) -> DigestConfig:
        digest = self.mapping(data, "digest", DIGEST_KEYS, "with smtp_host and to")
        port = _get(digest, "smtp_port", 587)
        if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
            raise self.error(
                "digest.smtp_port", f"must be a port number like 587; found {_show(port)}"
            )
        env = _get(digest, "password_env")
        if env is not None and not ENV_NAME.fullmatch(str(env)):
            raise self.error(
                "digest.password_env",
                "must name an environment variable like STATSDASH_SMTP_PASSWORD (the password "
                f"itself never goes in the config); found {_show(env)}",
            )
        to = _get(digest, "to")
        return DigestConfig(
            smtp_host=self.text(_get(digest, "smtp_host"), "digest.smtp_host"),
            smtp_port=port,
            starttls=self.boolean(_get(digest, "starttls", True), "digest.starttls"),
            username=self._optional_text(digest, "username"),
            password_env=None if env is None else str(env),
            sender=self._optional_text(digest, "from"),
            to=(to,) if isinstance(to, str) else self.texts(to, "digest.to"),
            app_url=self._optional_text(digest, "app_url"),
        )

    def _optional_text(self, section: dict, key: str) -> str | None:
        value = _get(section, key)
        return None if value is None else self.text(value, f"digest.{key}")

    def anomalies(self, data: object) -> AnomalyConfig:
        section = self.mapping(data, "anomalies", ANOMALY_KEYS, "like {k: 4, min_spread: 0.2}")
        values = {}
        for key, default in (("k", 4.0), ("min_spread", 0.2)):
            value = _get(section, key, default)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise self.error(
                    f"anomalies.{key}", f"must be a number of 0 or more; found {_show(value)}"
                )
            values[key] = float(value)
        return AnomalyConfig(**values)

    def access(self, data: object) -> AccessConfig:
        what = "like {allowed_domains: [example.com], allowed_emails: [ana@partner.org]}"
        access = self.mapping(data, "access", ACCESS_KEYS, what)
        domains = self.texts(access.get("allowed_domains"), "access.allowed_domains")
        emails = self.texts(access.get("allowed_emails"), "access.allowed_emails")
        for i, domain in enumerate(domains):
            if "@" in domain or "." not in domain:
                raise self.error(
                    f"access.allowed_domains[{i}]",
                    f"{_show(domain)} is not an e-mail domain; write it like example.com",
                )
        for i, email in enumerate(emails):
            if email.count("@") != 1 or not all(email.split("@")):
                raise self.error(
                    f"access.allowed_emails[{i}]",
                    f"{_show(email)} is not an e-mail address; write it like ana@example.com",
                )
        if not domains and not emails:
            raise self.error(
                "access",
                f"lets nobody in; list who may sign in, {what}, or remove access",
            )
        return AccessConfig(tuple(d.lower() for d in domains), tuple(e.lower() for e in emails))

    def cache(self, data: object) -> CacheConfig:
        cache = self.mapping(data, "cache", CACHE_KEYS, "like {enabled: false}")
        url = _get(cache, "url", None)
        if url is not None and not (isinstance(url, str) and url.startswith(REDIS_SCHEMES)):
            raise self.error(
                "cache.url", f"{_show(url)} is not a redis:// URL; like redis://127.0.0.1:6379/0"
            )
        return CacheConfig(
            enabled=self.boolean(_get(cache, "enabled", True), "cache.enabled"),
            path=self.path(_get(cache, "path", str(DEFAULT_CACHE_PATH)), "cache.path"),
            url=url,
            recent_ttl=self.positive(
                _get(cache, "recent_ttl", 3600), "cache.recent_ttl", "seconds"
            ),
            max_mb=self.positive(_get(cache, "max_mb", 512), "cache.max_mb", "megabytes"),
        )

    def positive(self, value: object, path: str, unit: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.error(path, f"must be a positive number of {unit}; found {_show(value)}")
        return float(value)

    def google_analytics(self, data: object) -> GoogleAnalyticsConfig:
        ga = self.mapping(data, "google_analytics", GA_KEYS, "with credentials and sites")
        endpoint = self.endpoint(ga.get("endpoint"), "google_analytics.endpoint")
        credentials, info = self.ga_credentials(ga.get("credentials"), endpoint)
        if credentials is not None or info is not None:
            self.safe_for_secrets(endpoint, "google_analytics.endpoint", "service-account key")
        site_lists, key_events = self.key_events(ga.get("sites"), "google_analytics.sites")
        sites = self.groups(
            site_lists,
            "google_analytics.sites",
            ("site", "property", '["123456789"]'),
            self.property,
        )
        lists = {
            key: self.texts(ga.get(key), f"google_analytics.{key}")
            for key in ("article_exclude_paths", "referral_exclude_sources", "countries")
        }
        return GoogleAnalyticsConfig(
            sites={
                name: Site(name, props, key_events.get(name, ())) for name, props in sites.items()
            },
            credentials=credentials,
            credentials_info=info,
            endpoint=endpoint,
            article_exclude_paths=lists["article_exclude_paths"],
            referral_exclude_sources=lists["referral_exclude_sources"],
            countries=DEFAULT_COUNTRIES if ga.get("countries") is None else lists["countries"],
        )

    def ga_credentials(
        self, value: object, endpoint: str | None
    ) -> tuple[Path | None, dict | None]:
        path = "google_analytics.credentials"
        if _is_none(value):
            self.require_endpoint(path, endpoint, "a service-account JSON key file")
            return None, None
        if value is not None:
            fix = (
                "download a JSON key for your service account (Google Cloud console > IAM & Admin"
                " > Service accounts > Keys) to that path, or remove this key and put the JSON "
                "under [gcp_service_account] in .streamlit/secrets.toml"
            )
            return self.file(value, path, fix), None
        info = self.secrets.get("gcp_service_account")
        if info is None:
            raise self.error(
                path,
                "missing; set it to your service-account JSON key file, or put that key under "
                "[gcp_service_account] in .streamlit/secrets.toml",
            )
        if not isinstance(info, dict):
            raise self.error(
                path,
                "[gcp_service_account] in .streamlit/secrets.toml must be a table of the "
                f"service-account JSON fields; found {_kind(info)}",
            )
        return None, dict(info)

    def youtube(self, data: object) -> YouTubeConfig:
        yt = self.mapping(data, "youtube", YOUTUBE_KEYS, "with credentials and channels")
        endpoint = self.endpoint(yt.get("endpoint"), "youtube.endpoint")
        client_secrets, owner = yt.get("client_secrets"), yt.get("content_owner_id")
        if client_secrets is not None:
            fix = (
                "download the OAuth client JSON (Google Cloud console > APIs & Services > "
                "Credentials > OAuth client ID, type Desktop app) to that path"
            )
            client_secrets = self.file(client_secrets, "youtube.client_secrets", fix)
        groups = self.groups(
            yt.get("channels"),
            "youtube.channels",
            ("channel group", "channel", '["UC..."]'),
            self.channel,
        )
        credentials = self.youtube_credentials(yt.get("credentials"), endpoint)
        if credentials is not None:
            self.safe_for_secrets(endpoint, "youtube.endpoint", "OAuth token")
        return YouTubeConfig(
            channels={name: ChannelGroup(name, ids) for name, ids in groups.items()},
            credentials=credentials,
            client_secrets=client_secrets,
            content_owner_id=None
            if owner is None
            else self.text(owner, "youtube.content_owner_id"),
            endpoint=endpoint,
            revenue=self.boolean(yt.get("revenue", False), "youtube.revenue"),
            currency=self.currency(yt.get("currency", "USD"), "youtube.currency"),
        )

    def currency(self, value: object, path: str) -> str:
        if not (isinstance(value, str) and re.fullmatch(r"[A-Z]{3}", value)):
            raise self.error(
                path, f"must be a three-letter ISO 4217 code like USD or EUR; found {_show(value)}"
            )
        return value

    def youtube_credentials(self, value: object, endpoint: str | None) -> Path | None:
        path = "youtube.credentials"
        if _is_none(value):
            self.require_endpoint(path, endpoint, "the OAuth token file")
            return None
        if value is None:
            raise self.error(
                path,
                "missing; set it to the OAuth token file, e.g. youtube-token.json, and run "
                "`python -m statsdash auth youtube` to create it",
            )
        fix = "run `python -m statsdash auth youtube` to sign in and create it"
        return self.file(value, path, fix, must_exist=self.check_files)

    def brands(
        self, data: object, ga: GoogleAnalyticsConfig | None, yt: YouTubeConfig | None
    ) -> dict[str, Brand]:
        brands = self.named(data, "brands", "of brand name to {sites: [...], channels: [...]}")
        result = {}
        for name, spec in brands.items():
            path = f"brands.{name}"
            spec = self.mapping(spec, path, BRAND_KEYS, "like {sites: [...], channels: [...]}")
            sites = self.references(spec.get("sites"), f"{path}.sites", ga and ga.sites, "site")
            channels = self.references(
                spec.get("channels"), f"{path}.channels", yt and yt.channels, "channel group"
            )
            if not sites and not channels:
                raise self.error(path, "names no sites or channels; list at least one of either")
            result[name] = Brand(name, sites, channels)
        return result

    # Pieces

    def groups(
        self,
        data: object,
        path: str,
        nouns: tuple[str, str, str],
        parse: Callable[[object, str], tuple[str, object, str]],
    ) -> dict[str, tuple]:
        """Named lists of IDs where each ID belongs to one group; `nouns` = group, item, example.

        `parse(entry, path)` returns the entry's ID, what to keep, and the path of its ID.
        """
        group, item, example = nouns
        groups = self.named(data, path, f"of {group} name to a list of {item} IDs")
        if not groups:
            raise self.error(path, f"has no {group}s; add at least one")
        owners: dict[str, str] = {}
        result = {}
        for name, entries in groups.items():
            group_path = f"{path}.{name}"
            if entries is None or entries == []:
                raise self.error(
                    group_path, f"has no {item} IDs; list at least one, e.g. {example}"
                )
            entries = self.sequence(entries, group_path, f"of {item} IDs, e.g. {example}")
            items = []
            for i, entry in enumerate(entries):
                key, parsed, id_path = parse(entry, f"{group_path}[{i}]")
                if key in owners:
                    raise self.error(
                        id_path,
                        f"{item} {key} is already listed under {group} {owners[key]}; "
                        "list it only once",
                    )
                owners[key] = name
                items.append(parsed)
            result[name] = tuple(items)
        return result

    def key_events(self, sites: object, path: str) -> tuple[object, dict[str, tuple[str, ...]]]:
        """The sites without their `{key_events: [...]}` entries, and each site's names."""
        if not isinstance(sites, dict):
            return sites, {}
        lists, found = {}, {}
        for name, entries in sites.items():
            if not isinstance(entries, list):
                lists[name] = entries
                continue
            lists[name] = []
            for i, entry in enumerate(entries):
                if not (isinstance(entry, dict) and KEY_EVENTS in entry):
                    lists[name].append(entry)
                    continue
                here = f"{path}.{name}[{i}]"
                if len(entry) > 1:
                    raise self.error(
                        f"{here}.key_events",
                        "belongs to the site, not a property: give it its own list item, "
                        "like - key_events: [newsletter_signup, purchase]",
                    )
                if name in found:
                    raise self.error(here, "key_events is listed twice; keep one list")
                events = self.texts(entry[KEY_EVENTS], f"{here}.key_events")
                for k, event in enumerate(events):
                    if not EVENT_NAME.fullmatch(event):
                        raise self.error(
                            f"{here}.key_events[{k}]",
                            f"{_show(event)} is not a GA4 event name (a letter, then letters, "
                            "digits or _, at most 40), e.g. newsletter_signup",
                        )
                if not events:
                    raise self.error(
                        f"{here}.key_events", "is empty; list event names or remove it (all count)"
                    )
                if len(events) > MAX_KEY_EVENTS:
                    raise self.error(
                        f"{here}.key_events",
                        f"lists {len(events)} events; at most {MAX_KEY_EVENTS} fit in the "
                        "summary's GA4 report (10 metrics), or remove the list to count all",
                    )
                found[name] = events
        return lists, found

    def property(self, entry: object, path: str) -> tuple[str, Property, str]:
        wait = True
        if isinstance(entry, dict):
            fields = self.mapping(entry, path, PROPERTY_KEYS, "")
            if fields.get("wait_for_data") is not None:
                wait = self.boolean(fields["wait_for_data"], f"{path}.wait_for_data")
            entry, path = fields.get("id"), f"{path}.id"
        if isinstance(entry, int) and not isinstance(entry, bool):
            entry = str(entry)
        if isinstance(entry, str):
            entry = entry.strip().removeprefix("properties/")
        if not isinstance(entry, str) or not PROPERTY_ID.fullmatch(entry):
            raise self.error(path, f"{_not_a(entry, 'GA4 property ID')}; {PROPERTY_ID_HELP}")
        return entry, Property(entry, wait), path

    def channel(self, entry: object, path: str) -> tuple[str, str, str]:
        if not isinstance(entry, str) or not CHANNEL_ID.fullmatch(entry):
            raise self.error(path, f"{_not_a(entry, 'YouTube channel ID')}; {CHANNEL_ID_HELP}")
        return entry, entry, path

    def references(self, data: object, path: str, known: dict | None, noun: str) -> tuple[str, ...]:
        names = self.texts(data, path)
        for i, name in enumerate(names):
            if name not in (known or {}):
                configured = ", ".join(known) if known else "none"
                raise self.error(
                    f"{path}[{i}]",
                    f"unknown {noun} {_show(name)}; configured {noun}s: {configured}",
                )
        return names

    def endpoint(self, value: object, path: str) -> str | None:
        if value is None:
            return None
        url = urlparse(value) if isinstance(value, str) else None
        if url is None or url.scheme not in ("http", "https") or not url.netloc:
            raise self.error(
                path, f"{_show(value)} is not an http(s) URL; write it like http://127.0.0.1:8765"
            )
        return value.rstrip("/")

    def safe_for_secrets(self, endpoint: str | None, path: str, secret: str) -> None:
        """Real credentials go to Google, to another https:// API or to this machine only:
        over plain http to another host anyone on the way could read the token."""
        if endpoint is None:
            return
        url = urlparse(endpoint)
        if url.scheme == "https" or _is_loopback(url.hostname or ""):
            return
        raise self.error(
            path,
            f"{_show(endpoint)} is plain http to another host, which would receive the real "
            f"{secret}; use https://, a loopback address (the emulator), or credentials: none",
        )

    def require_endpoint(self, path: str, endpoint: str | None, real: str) -> None:
        if endpoint is None:
            raise self.error(
                path,
                "none is only allowed together with endpoint (e.g. endpoint: "
                f"http://127.0.0.1:8765 for the emulator); for Google's API set it to {real}",
            )

    # Plain values

    def mapping(self, value: object, path: str, allowed: tuple[str, ...], what: str) -> dict:
        data = self.named(value, path, what)
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f' (did you mean "{close[0]}"?)' if close else ""
                raise self.error(
                    f"{path}.{key}" if path else key,
                    f'unknown key "{key}"{hint}; allowed keys: {", ".join(allowed)}',
                )
        return data

    def named(self, value: object, path: str, what: str) -> dict[str, object]:
        """A mapping whose keys are text; `what` completes "must be a mapping ..."."""
        if not isinstance(value, dict):
            message = f"must be a mapping {what}".rstrip()
            raise self.error(path, f"{message}; found {_kind(value)}")
        for key in value:
            if not isinstance(key, str):
                raise self.error(
                    f"{path}.{key}" if path else str(key),
                    f'a name must be text; put it in quotes: "{key}"',
                )
            if "," in key:
                # --sites/--channels and shared links separate names with commas.
                raise self.error(
                    f"{path}.{key}" if path else key,
                    "a name cannot contain a comma (commas separate names in --sites, "
                    '--channels and shared links); use another character, e.g. " & "',
                )
        return value

    def sequence(self, value: object, path: str, what: str) -> list:
        if not isinstance(value, list):
            raise self.error(path, f"must be a list {what}; found {_kind(value)}")
        return value

    def texts(self, value: object, path: str) -> tuple[str, ...]:
        if value is None:
            return ()
        items = self.sequence(value, path, "of text, e.g. [a, b]")
        return tuple(self.text(item, f"{path}[{i}]") for i, item in enumerate(items))

    def text(self, value: object, path: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(path, f"must be non-empty text; found {_kind(value)}")
        return value.strip()

    def count(self, value: object, key: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise self.error(key, f"must be a whole number of at least 1; found {_show(value)}")
        return value

    def seconds(self, value: object, path: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise self.error(
                path, f"must be a number of seconds above 0, like 60; found {_show(value)}"
            )
        return float(value)

    def boolean(self, value: object, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.error(path, f"must be true or false; found {_kind(value)}")
        return value

    def path(self, value: object, path: str) -> Path:
        file = Path(self.text(value, path)).expanduser()
        return file if file.is_absolute() else self.base_dir / file

    def file(self, value: object, path: str, fix: str, must_exist: bool = True) -> Path:
        file = self.path(value, path)
        if must_exist and not file.is_file():
            raise self.error(path, f"file not found: {file}; {fix}")
        return file
