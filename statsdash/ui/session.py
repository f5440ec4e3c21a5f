"""The app's configuration (real or demo) and today's date, loaded once per server process."""

from __future__ import annotations

import gc
import os
import threading
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import streamlit as st

from statsdash.config import Config, load_config
from statsdash.periods import today  # noqa: F401  (app.py reads it from here)

CONFIG_ENV = "STATSDASH_CONFIG"
DEMO_ENV = "STATSDASH_DEMO"  # "1": demo mode even where a config.yaml exists (tests, demos)


@dataclass(frozen=True)
class AppConfig:
    config: Config
    demo: bool
    emulator_url: str | None = None
    emulator: object | None = field(default=None, compare=False, repr=False)


def config_path() -> Path | None:
    """The config file to use: $STATSDASH_CONFIG, else ./config.yaml, else None (demo mode).

    STATSDASH_DEMO=1 forces demo mode, so a developer's own config.yaml cannot leak into
    tests or a demo.
    """
    if os.environ.get(DEMO_ENV) == "1":
        return None
    named = os.environ.get(CONFIG_ENV)
    if named:
        return Path(named)
    local = Path("config.yaml")
    return local if local.exists() else None


def load_app_config() -> AppConfig:
    """Load config.yaml, or start the emulator and use the demo network when there is none."""
    return _load_app_config(config_path(), today())


def _stop_demo(loaded: AppConfig) -> None:
    if loaded.emulator is not None:
        loaded.emulator.stop()


# Keyed by the config file and today: a demo server left running past midnight (or a test
# process that changes STATSDASH_TODAY) otherwise kept serving the first day's network, so
# last week's days read as 0 "sent no data". The replaced demo emulator is stopped.
@st.cache_resource(show_spinner="Starting…", max_entries=1, on_release=_stop_demo)
def _load_app_config(path: Path | None, day: date) -> AppConfig:
    if path is not None:
        return AppConfig(load_config(path), demo=False)
    from statsdash.demo import start_demo

    config, emulator = start_demo(today=day)
    return AppConfig(config, demo=True, emulator_url=emulator.url, emulator=emulator)


load_app_config.clear = _load_app_config.clear  # tests and Refresh clear it by this name


_runs_started = 0
_frozen = False
_runs_lock = threading.Lock()  # sessions run their scripts on threads of their own


def freeze_long_lived() -> None:
    """At the start of each page run: on the server's second, move every object alive then
    (the imported libraries, the config, the API clients) out of the collector's reach, if
    the first run's page has not (freeze_after_page).

    Streamlit collects every generation after each script run (runner.postScriptGC, kept on
    so garbage does not pile up between runs); walking pandas', numpy's, Altair's and the
    Google client's objects each time was about a third of a warm page's server CPU, for
    objects that live as long as the process. Freezing without collecting costs nothing (a
    collection here cost the first page ~0.3 s). Later objects are still collected; a
    frozen one is still freed when nothing refers to it.
    """
    global _runs_started
    with _runs_lock:
        _runs_started += 1
        second = _runs_started == 2
    if second:
        _freeze_once()


def freeze_after_page() -> None:
    """At the end of a page run (frame.run_page), before Streamlit's collection after it:
    the server's first page freezes the heap its imports made, so that collection walks only
    what the run made. It walked every library loaded meanwhile: 0.14-0.17 s holding the
    GIL (timed with gc.callbacks on 2 cores) while the page's last messages waited to be
    sent, on a just-started server's first page. The cycles that run made are frozen with
    it (72-118 objects at 20 sites), once per process."""
    _freeze_once()


def _freeze_once() -> None:
    global _frozen
    with _runs_lock:
        if _frozen:
            return
        _frozen = True
    gc.freeze()


def skip_repl_check() -> None:
    """Under `streamlit run`, tell Streamlit its once-a-process warning for scripts run without
    it has been given: deciding whether to give it, the first element a process draws walks
    the whole stack with each frame's source (`inspect.stack()` in env_util.is_repl), which
    maps every imported module to its file: ~0.25 s of a restarted server's first page, a
    fifteenth of its CPU. Run any other way (bare `python app.py`), the warning stays."""
    from streamlit import delta_generator, runtime

    if runtime.exists():
        delta_generator._use_warning_has_been_displayed = True


# Set once the server's first readiness probe has run the whole app (see is_repeat_probe).
_probe_ran = threading.Event()


def is_probe() -> bool:
    """Whether this run is Streamlit's script health check (/_stcore/script-health-check),
    which runs the app in a session no browser holds: a served session has a client."""
    from streamlit import runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return False  # bare mode, AppTest: no probe
    return runtime.get_instance().get_client(ctx.session_id) is None


def is_repeat_probe() -> bool:
    """A readiness probe after the process's first one ran the whole app: it stops once the
    configuration loaded. Probed every few seconds (a load balancer, Kubernetes), each run
    drew the default Overview, which asks Google what expired meanwhile: a slow or failing
    Google then held the probe (Streamlit gives up after 60 s) and took healthy replicas out
    of rotation, and every probe cost a page's CPU."""
    return _probe_ran.is_set() and is_probe()  # a visitor's run before any probe: no lookup


def probe_done() -> None:
    """At the end of a run that drew a page: a probe's marks the process warmed."""
    if not _probe_ran.is_set() and is_probe():
        _probe_ran.set()
