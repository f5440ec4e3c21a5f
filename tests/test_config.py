"""Tests for loading config.yaml: good configs, defaults, and the exact message for each mistake."""

import copy
import shutil
from pathlib import Path

import pytest
import yaml

from statsdash.config import (
    DEFAULT_COUNTRIES,
    Brand,
    CacheConfig,
    ChannelGroup,
    ConfigError,
    Property,
    load_config,
    parse_config,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "config.yaml.example"
CHANNEL_A = "UCaaaaaaaaaaaaaaaaaaaaaa"
CHANNEL_B = "UCbbbbbbbbbbbbbbbbbbbbbb"
CHANNEL_C = "UCcccccccccccccccccccc-_"
DELETE = object()

VALID = {
    "network_name": "Pixel Network",
    "google_analytics": {
        "credentials": "service-account.json",
        "sites": {
            "eurogamer.net": [{"id": "123456789"}, {"id": "987654321", "wait_for_data": False}],
            "pixelpost.net": ["555555555"],
        },
    },
    "youtube": {
        "credentials": "youtube-token.json",
        "client_secrets": "client_secret.json",
        "channels": {"Eurogamer": [CHANNEL_A, CHANNEL_B], "Pixelpost": [CHANNEL_C]},
    },
    "brands": {"Eurogamer": {"sites": ["eurogamer.net"], "channels": ["Eurogamer"]}},
}
CREDENTIAL_FILES = ("service-account.json", "youtube-token.json", "client_secret.json")


@pytest.fixture
def config_factory(tmp_path):
    """Write a valid config.yaml and its credential files to tmp_path, with overrides.

    An override key names a path with `__` between levels (`google_analytics__sites=...`);
    the value DELETE removes the key.
    """

    def make(**overrides) -> Path:
        data = copy.deepcopy(VALID)
        for key, value in overrides.items():
            *parents, last = key.split("__")
            target = data
            for parent in parents:
                target = target[parent]
            if value is DELETE:
                del target[last]
            else:
                target[last] = value
        for name in CREDENTIAL_FILES:
            (tmp_path / name).write_text("{}")
        path = tmp_path / "config.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        return path

    return make


def error_of(path: Path, **kwargs) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(path, **kwargs)
    return str(caught.value)


# One row per mistake: overrides for config_factory, and the message after "<config path>: ".
# {dir} stands for the config file's directory.
BAD_CONFIGS = {
    "unknown top-level key": (
        {"googel_analytics": {}},
        'googel_analytics: unknown key "googel_analytics" (did you mean "google_analytics"?); '
        "allowed keys: network_name, cache, google_analytics, youtube, brands, digest, anomalies, "
        "access, fetch",
    ),
    "fetch budget not a number": (
        {"fetch": {"budget_seconds": "a minute"}},
        'fetch.budget_seconds: must be a number of seconds above 0, like 60; found "a minute"',
    ),
    "fetch max_in_flight zero": (
        {"fetch": {"max_in_flight": 0}},
        "fetch.max_in_flight: must be a whole number of at least 1; found 0",
    ),
    "fetch timeout zero": (
        {"fetch": {"timeout_seconds": 0}},
        "fetch.timeout_seconds: must be a number of seconds above 0, like 60; found 0",
    ),
    "unknown section key": (
        {"google_analytics__site": "x"},
        'google_analytics.site: unknown key "site" (did you mean "sites"?); allowed keys: '
        "credentials, endpoint, sites, article_exclude_paths, referral_exclude_sources, countries",
    ),
    "unknown property key": (
        {"google_analytics__sites": {"a.com": [{"id": "1", "wait": False}]}},
        'google_analytics.sites.a.com[0].wait: unknown key "wait"; allowed keys: id, wait_for_data',
    ),
    "neither service": (
        {"google_analytics": DELETE, "youtube": DELETE, "brands": DELETE},
        "has neither a google_analytics nor a youtube section; configure at least one "
        "(see config.yaml.example)",
    ),
    "section not a mapping": (
        {"youtube": ["UCaaaaaaaaaaaaaaaaaaaaaa"]},
        "youtube: must be a mapping with credentials and channels; found a list",
    ),
    "sites not a mapping": (
        {"google_analytics__sites": ["123456789"]},
        "google_analytics.sites: must be a mapping of site name to a list of property IDs; "
        "found a list",
    ),
    "sites missing": (
        {"google_analytics__sites": DELETE},
        "google_analytics.sites: must be a mapping of site name to a list of property IDs; "
        "found nothing",
    ),
    "site name not text": (
        {"google_analytics__sites": {2024: ["1"]}},
        'google_analytics.sites.2024: a name must be text; put it in quotes: "2024"',
    ),
    "no sites": (
        {"google_analytics__sites": {}},
        "google_analytics.sites: has no sites; add at least one",
    ),
    "site not a list": (
        {"google_analytics__sites": {"a.com": "123456789"}},
        'google_analytics.sites.a.com: must be a list of property IDs, e.g. ["123456789"]; '
        "found text",
    ),
    "site without IDs": (
        {"google_analytics__sites": {"a.com": []}},
        'google_analytics.sites.a.com: has no property IDs; list at least one, e.g. ["123456789"]',
    ),
    "site with nothing": (
        {"google_analytics__sites": {"a.com": None}},
        'google_analytics.sites.a.com: has no property IDs; list at least one, e.g. ["123456789"]',
    ),
    "measurement ID instead of property ID": (
        {"google_analytics__sites__pixelpost.net": ["555555555", {"id": "G-7F1AE12JLR"}]},
        'google_analytics.sites.pixelpost.net[1].id: "G-7F1AE12JLR" is not a GA4 property ID; '
        "a GA4 property ID is digits like 123456789, found in GA Admin > Property settings "
        "(a Measurement ID like G-7F1AE12JLR is not one)",
    ),
    "plain property entry not digits": (
        {"google_analytics__sites__pixelpost.net": ["UA-1234-1"]},
        'google_analytics.sites.pixelpost.net[0]: "UA-1234-1" is not a GA4 property ID; '
        "a GA4 property ID is digits like 123456789, found in GA Admin > Property settings "
        "(a Measurement ID like G-7F1AE12JLR is not one)",
    ),
    "property entry without id": (
        {"google_analytics__sites__pixelpost.net": [{"wait_for_data": False}]},
        "google_analytics.sites.pixelpost.net[0].id: missing GA4 property ID; "
        "a GA4 property ID is digits like 123456789, found in GA Admin > Property settings "
        "(a Measurement ID like G-7F1AE12JLR is not one)",
    ),
    "wait_for_data not a boolean": (
        {"google_analytics__sites__pixelpost.net": [{"id": "1", "wait_for_data": "sometimes"}]},
        "google_analytics.sites.pixelpost.net[0].wait_for_data: must be true or false; found text",
    ),
    "property under two sites": (
        {"google_analytics__sites__pixelpost.net": ["properties/987654321"]},
        "google_analytics.sites.pixelpost.net[0]: property 987654321 is already listed under "
        "site eurogamer.net; list it only once",
    ),
    "property twice in one site": (
        {"google_analytics__sites__pixelpost.net": ["555555555", 555555555]},
        "google_analytics.sites.pixelpost.net[1]: property 555555555 is already listed under "
        "site pixelpost.net; list it only once",
    ),
    "GA credentials file missing": (
        {"google_analytics__credentials": "keys/missing.json"},
        "google_analytics.credentials: file not found: {dir}/keys/missing.json; download a JSON "
        "key for your service account (Google Cloud console > IAM & Admin > Service accounts > "
        "Keys) to that path, or remove this key and put the JSON under [gcp_service_account] in "
        ".streamlit/secrets.toml",
    ),
    "GA credentials not set": (
        {"google_analytics__credentials": DELETE},
        "google_analytics.credentials: missing; set it to your service-account JSON key file, "
        "or put that key under [gcp_service_account] in .streamlit/secrets.toml",
    ),
    "GA credentials none without endpoint": (
        {"google_analytics__credentials": "none"},
        "google_analytics.credentials: none is only allowed together with endpoint "
        "(e.g. endpoint: http://127.0.0.1:8765 for the emulator); for Google's API set it to "
        "a service-account JSON key file",
    ),
    "endpoint not a URL": (
        {"google_analytics__endpoint": "127.0.0.1:8765"},
        'google_analytics.endpoint: "127.0.0.1:8765" is not an http(s) URL; '
        "write it like http://127.0.0.1:8765",
    ),
    "excluded paths not a list": (
        {"google_analytics__article_exclude_paths": "/forum"},
        "google_analytics.article_exclude_paths: must be a list of text, e.g. [a, b]; found text",
    ),
    "YouTube token missing": (
        {"youtube__credentials": "tokens/youtube.json"},
        "youtube.credentials: file not found: {dir}/tokens/youtube.json; run "
        "`python -m statsdash auth youtube` to sign in and create it",
    ),
    "YouTube credentials not set": (
        {"youtube__credentials": DELETE},
        "youtube.credentials: missing; set it to the OAuth token file, e.g. youtube-token.json, "
        "and run `python -m statsdash auth youtube` to create it",
    ),
    "YouTube credentials none without endpoint": (
        {"youtube__credentials": "none"},
        "youtube.credentials: none is only allowed together with endpoint (e.g. endpoint: "
        "http://127.0.0.1:8765 for the emulator); for Google's API set it to the OAuth token file",
    ),
    "client secrets missing": (
        {"youtube__client_secrets": "oauth.json"},
        "youtube.client_secrets: file not found: {dir}/oauth.json; download the OAuth client "
        "JSON (Google Cloud console > APIs & Services > Credentials > OAuth client ID, type "
        "Desktop app) to that path",
    ),
    "handle instead of channel ID": (
        {"youtube__channels__Pixelpost": ["@pixelpost"]},
        'youtube.channels.Pixelpost[0]: "@pixelpost" is not a YouTube channel ID; a channel ID '
        'is "UC" plus 22 letters, digits, "-" or "_", found in YouTube Studio > Settings > '
        "Channel > Advanced settings (a handle like @name is not one)",
    ),
    "channel ID too short": (
        {"youtube__channels__Pixelpost": ["UCaaa"]},
        'youtube.channels.Pixelpost[0]: "UCaaa" is not a YouTube channel ID; a channel ID '
        'is "UC" plus 22 letters, digits, "-" or "_", found in YouTube Studio > Settings > '
        "Channel > Advanced settings (a handle like @name is not one)",
    ),
    "channel in two groups": (
        {"youtube__channels__Pixelpost": [CHANNEL_C, CHANNEL_B]},
        f"youtube.channels.Pixelpost[1]: channel {CHANNEL_B} is already listed under channel "
        "group Eurogamer; list it only once",
    ),
    "channel group without IDs": (
        {"youtube__channels__Pixelpost": []},
        'youtube.channels.Pixelpost: has no channel IDs; list at least one, e.g. ["UC..."]',
    ),
    "channels not a mapping": (
        {"youtube__channels": [CHANNEL_A]},
        "youtube.channels: must be a mapping of channel group name to a list of channel IDs; "
        "found a list",
    ),
    "content owner not text": (
        {"youtube__content_owner_id": ""},
        "youtube.content_owner_id: must be non-empty text; found empty text",
    ),
    "brand names unknown site": (
        {"brands__Eurogamer__sites": ["eurogamer.com"]},
        'brands.Eurogamer.sites[0]: unknown site "eurogamer.com"; configured sites: '
        "eurogamer.net, pixelpost.net",
    ),
    "brand names unknown channel group": (
        {"brands__Eurogamer__channels": ["Eurogamer", "Pixel"]},
        'brands.Eurogamer.channels[1]: unknown channel group "Pixel"; configured channel groups: '
        "Eurogamer, Pixelpost",
    ),
    "brand channel without youtube section": (
        {"youtube": DELETE},
        'brands.Eurogamer.channels[0]: unknown channel group "Eurogamer"; '
        "configured channel groups: none",
    ),
    "brand names nothing": (
        {"brands__Eurogamer": {"sites": []}},
        "brands.Eurogamer: names no sites or channels; list at least one of either",
    ),
    "cache enabled not a boolean": (
        {"cache": {"enabled": "off"}},
        "cache.enabled: must be true or false; found text",
    ),
    "network name not text": (
        {"network_name": 42},
        "network_name: must be non-empty text; found a number",
    ),
    "real GA key to a plain-http host": (
        {"google_analytics__endpoint": "http://ga-proxy.internal:8080"},
        'google_analytics.endpoint: "http://ga-proxy.internal:8080" is plain http to another '
        "host, which would receive the real service-account key; use https://, a loopback "
        "address (the emulator), or credentials: none",
    ),
    "real YouTube token to a plain-http address": (
        {"youtube__endpoint": "http://10.0.0.7:8765"},
        'youtube.endpoint: "http://10.0.0.7:8765" is plain http to another host, which would '
        "receive the real OAuth token; use https://, a loopback address (the emulator), or "
        "credentials: none",
    ),
    "access letting nobody in": (
        {"access": {"allowed_domains": []}},
        "access: lets nobody in; list who may sign in, like {allowed_domains: [example.com], "
        "allowed_emails: [ana@partner.org]}, or remove access",
    ),
    "access domain written as an address": (
        {"access": {"allowed_domains": ["@example.com"]}},
        'access.allowed_domains[0]: "@example.com" is not an e-mail domain; write it like '
        "example.com",
    ),
    "access e-mail without a domain": (
        {"access": {"allowed_emails": ["ana"]}},
        'access.allowed_emails[0]: "ana" is not an e-mail address; write it like ana@example.com',
    ),
    "comma in a channel group name": (
        {"youtube__channels": {"Food, Travel": ["UC" + "a" * 22]}, "brands": DELETE},
        "youtube.channels.Food, Travel: a name cannot contain a comma (commas separate names in "
        '--sites, --channels and shared links); use another character, e.g. " & "',
    ),
}


@pytest.mark.parametrize(
    ("overrides", "expected"), BAD_CONFIGS.values(), ids=list(BAD_CONFIGS.keys())
)
def test_bad_config_message(config_factory, tmp_path, overrides, expected):
    path = config_factory(**overrides)

    message = error_of(path)

    assert message == f"{path}: " + expected.replace("{dir}", str(tmp_path))
    assert "\n" not in message


# Files that are not even a config: raw text and the message after "<config path>: ".
BAD_FILES = {
    "YAML syntax error": (
        "google_analytics:\n  sites: [a\n  credentials: x\n",
        "line 3: YAML syntax error: expected ',' or ']', but got ':'; check the indentation "
        "(spaces, not tabs), colons and quotes there",
    ),
    "tab indentation": (
        "google_analytics:\n\tsites: {}\n",
        "line 2: YAML syntax error: found character '\\t' that cannot start any token; check "
        "the indentation (spaces, not tabs), colons and quotes there",
    ),
    "duplicate key": (
        "google_analytics:\n  sites:\n    a.com: [1]\n    b.com: [2]\n    a.com: [3]\n",
        'line 5: "a.com" appears twice in the same mapping; YAML would keep only the last one, '
        "so merge the two or rename one",
    ),
    "empty file": (
        "# nothing yet\n",
        "the top level must be a mapping of sections like google_analytics and youtube; found "
        "nothing (start from a copy of config.yaml.example)",
    ),
    "top level is a list": (
        "- google_analytics\n",
        "the top level must be a mapping of sections like google_analytics and youtube; found "
        "a list (start from a copy of config.yaml.example)",
    ),
}


@pytest.mark.parametrize(("text", "expected"), BAD_FILES.values(), ids=list(BAD_FILES.keys()))
def test_bad_file_message(tmp_path, text, expected):
    path = tmp_path / "config.yaml"
    path.write_text(text)

    assert error_of(path) == f"{path}: {expected}"


def test_missing_file_says_to_copy_the_example_or_use_demo_mode(tmp_path):
    path = tmp_path / "config.yaml"

    assert error_of(path) == (
        f"{path}: file not found; copy config.yaml.example to {path} and fill in your IDs, "
        "or add --demo to use the bundled demo network (the app runs in demo mode when there "
        "is no config file)"
    )


def test_secrets_syntax_error_names_the_secrets_file(config_factory, tmp_path):
    path = config_factory()
    secrets = tmp_path / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text("[gcp_service_account\n")

    message = error_of(path)

    # The rest of the line is tomllib's own wording, which may change between Python versions.
    assert message.startswith(f"{secrets}: cannot read the secrets file (")
    assert "line 1" in message


def test_secrets_service_account_must_be_a_table(config_factory):
    path = config_factory(google_analytics__credentials=DELETE)
    secrets = path.parent / "secrets.toml"
    secrets.write_text('gcp_service_account = "service-account.json"\n')

    assert error_of(path, secrets_path=secrets) == (
        f"{path}: google_analytics.credentials: [gcp_service_account] in "
        ".streamlit/secrets.toml must be a table of the service-account JSON fields; found text"
    )


# Good configs


def test_example_file_parses(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / "config.yaml")
    for name in CREDENTIAL_FILES:
        (tmp_path / name).write_text("{}")

    config = load_config(tmp_path / "config.yaml")

    ga, yt = config.google_analytics, config.youtube
    assert [len(site.properties) for site in ga.sites.values()] == [1, 2]
    assert ga.sites["example.org"].properties[1] == Property("345678901", wait_for_data=False)
    assert ga.credentials == tmp_path / "service-account.json"
    assert list(yt.channels) == ["Example", "Example Gaming"]
    assert yt.client_secrets == tmp_path / "client_secret.json"
    assert set(config.brands) == {"Example", "Example Gaming"}
    assert config.cache == CacheConfig(True, tmp_path / ".statsdash/cache.sqlite")


def test_example_file_parses_before_youtube_sign_in(tmp_path):
    shutil.copy(EXAMPLE, tmp_path / "config.yaml")
    for name in ("service-account.json", "client_secret.json"):
        (tmp_path / name).write_text("{}")

    config = load_config(tmp_path / "config.yaml", check_files=False)

    assert config.youtube.credentials == tmp_path / "youtube-token.json"


def test_check_files_false_still_checks_ga_credentials(config_factory, tmp_path):
    path = config_factory(google_analytics__credentials="missing.json")

    assert error_of(path, check_files=False).startswith(
        f"{path}: google_analytics.credentials: file not found: {tmp_path / 'missing.json'}; "
    )


def test_valid_config_is_typed(config_factory, tmp_path):
    config = load_config(config_factory())

    assert config.network_name == "Pixel Network"
    assert list(config.google_analytics.sites) == ["eurogamer.net", "pixelpost.net"]
    assert config.google_analytics.sites["eurogamer.net"].properties == (
        Property("123456789"),
        Property("987654321", wait_for_data=False),
    )
    assert config.youtube.channels["Eurogamer"] == ChannelGroup("Eurogamer", (CHANNEL_A, CHANNEL_B))
    assert config.youtube.credentials == tmp_path / "youtube-token.json"
    assert config.brands == {"Eurogamer": Brand("Eurogamer", ("eurogamer.net",), ("Eurogamer",))}
    assert config.source == str(tmp_path / "config.yaml")


@pytest.mark.parametrize(
    "entry",
    ["444444444", 444444444, "properties/444444444", {"id": "444444444"}, {"id": 444444444}],
)
def test_property_id_forms(config_factory, entry):
    path = config_factory(**{"google_analytics__sites__pixelpost.net": [entry]})

    site = load_config(path).google_analytics.sites["pixelpost.net"]
    assert site.properties == (Property("444444444"),)


def test_defaults(config_factory, tmp_path):
    path = config_factory(
        network_name=DELETE,
        brands=DELETE,
        youtube__client_secrets=DELETE,
        google_analytics__countries=None,
    )

    config = load_config(path)

    assert config.network_name == "Network"
    assert config.cache == CacheConfig(enabled=True, path=tmp_path / ".statsdash/cache.sqlite")
    assert config.brands == {}
    ga = config.google_analytics
    assert ga.countries == DEFAULT_COUNTRIES
    assert ga.article_exclude_paths == ga.referral_exclude_sources == ()
    assert ga.endpoint is None
    assert ga.credentials_info is None
    assert config.youtube.client_secrets is None
    assert config.youtube.content_owner_id is None


def test_lists_and_cache_settings(config_factory, tmp_path):
    path = config_factory(
        cache={"enabled": False, "path": "/var/cache/statsdash.sqlite"},
        google_analytics__article_exclude_paths=["/forum", "/login.php"],
        google_analytics__referral_exclude_sources=["google", "(direct)"],
        google_analytics__countries=["Germany"],
        youtube__content_owner_id="abc123",
    )

    config = load_config(path)

    assert config.cache == CacheConfig(enabled=False, path=Path("/var/cache/statsdash.sqlite"))
    assert config.google_analytics.article_exclude_paths == ("/forum", "/login.php")
    assert config.google_analytics.referral_exclude_sources == ("google", "(direct)")
    assert config.google_analytics.countries == ("Germany",)
    assert config.youtube.content_owner_id == "abc123"


def test_paths_resolve_against_the_config_directory(tmp_path, monkeypatch):
    config_dir = tmp_path / "conf"
    (config_dir / "keys").mkdir(parents=True)
    (config_dir / "keys" / "sa.json").write_text("{}")
    (config_dir / "config.yaml").write_text(
        "cache: {path: cache/db.sqlite}\n"
        "google_analytics: {credentials: keys/sa.json, sites: {a.com: ['1']}}\n"
    )
    monkeypatch.chdir(tmp_path)

    config = load_config("conf/config.yaml")

    assert config.source == "conf/config.yaml"
    assert config.google_analytics.credentials == config_dir / "keys" / "sa.json"
    assert config.cache.path == config_dir / "cache" / "db.sqlite"


def test_credentials_from_secrets_toml_next_to_the_config(config_factory, tmp_path):
    path = config_factory(google_analytics__credentials=DELETE)
    secrets = tmp_path / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text(
        '[gcp_service_account]\ntype = "service_account"\n'
        'client_email = "sa@p.iam.gserviceaccount.com"\n'
    )

    ga = load_config(path).google_analytics

    assert ga.credentials is None
    assert ga.credentials_info == {
        "type": "service_account",
        "client_email": "sa@p.iam.gserviceaccount.com",
    }


def test_credentials_file_wins_over_secrets(config_factory, tmp_path):
    path = config_factory()
    secrets = tmp_path / "elsewhere.toml"
    secrets.write_text('[gcp_service_account]\ntype = "service_account"\n')

    ga = load_config(path, secrets_path=secrets).google_analytics

    assert ga.credentials == tmp_path / "service-account.json"
    assert ga.credentials_info is None


def test_credentials_none_with_endpoint():
    config = parse_config(
        {
            "google_analytics": {
                "credentials": "none",
                "endpoint": "http://127.0.0.1:8765/",
                "sites": {"a.com": ["1"]},
            },
            "youtube": {
                "credentials": "none",
                "endpoint": "https://emulator.test",
                "channels": {"A": [CHANNEL_A]},
            },
        }
    )

    assert config.google_analytics.credentials is None
    assert config.google_analytics.credentials_info is None
    assert config.google_analytics.endpoint == "http://127.0.0.1:8765"
    assert config.youtube.credentials is None
    assert config.youtube.endpoint == "https://emulator.test"
    assert config.source == "config.yaml"


def test_parse_config_messages_use_the_given_source():
    with pytest.raises(ConfigError) as caught:
        parse_config({"youtube": {}}, source="demo config")

    assert str(caught.value) == (
        "demo config: youtube.channels: must be a mapping of channel group name to a list of "
        "channel IDs; found nothing"
    )


def test_with_endpoint_replaces_both_services_endpoints(config_factory):
    config = load_config(config_factory())

    moved = config.with_endpoint("http://127.0.0.1:50123")

    assert moved.google_analytics.endpoint == moved.youtube.endpoint == "http://127.0.0.1:50123"
    assert moved.google_analytics.sites == config.google_analytics.sites
    assert config.google_analytics.endpoint is None


def test_with_endpoint_keeps_a_missing_service_missing(config_factory):
    config = load_config(config_factory(youtube=DELETE, brands=DELETE))

    assert config.with_endpoint("http://127.0.0.1:1").youtube is None


@pytest.mark.parametrize(
    "endpoint",
    ["https://ga-proxy.internal", "http://127.0.0.1:8765", "http://localhost:1", "http://[::1]:9"],
)
def test_real_credentials_may_go_to_https_or_loopback(config_factory, endpoint):
    path = config_factory(google_analytics__endpoint=endpoint, youtube__endpoint=endpoint)
    config = load_config(path)
    assert config.google_analytics.endpoint == endpoint
    assert config.youtube.endpoint == endpoint


def test_access_lets_in_listed_domains_and_addresses_only(config_factory):
    access = {"allowed_domains": ["Example.com"], "allowed_emails": ["Guest@Partner.org"]}
    config = load_config(config_factory(access=access))
    assert config.access.allows("ana@example.com")
    assert config.access.allows("GUEST@partner.org")
    assert not config.access.allows("eve@partner.org")
    assert not config.access.allows("eve@example.com.evil.test")
    assert not config.access.allows("eve@sub.example.com")
    assert not config.access.allows(None)
    assert load_config(config_factory()).access is None
