"""A warm page's server work: what Streamlit does around every script run, not the page.

Profiled (py-spy) on a warm Overview at 20 sites, the server's own CPU went mostly to two
things outside the page: the source watcher walking every imported module's path for each
new session, and a full garbage collection over the imported libraries after every run.
"""

import gc
import tomllib
from pathlib import Path

import pytest

from statsdash.ui import session

ROOT = Path(__file__).resolve().parents[1]


def test_the_app_does_not_watch_its_sources():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["fileWatcherType"] == "none"
    # The collection after each run stays on (memory); freeze_long_lived makes it cheap.
    assert config.get("runner", {}).get("postScriptGC", True) is True


@pytest.fixture
def fresh_heap(monkeypatch):
    monkeypatch.setattr(session, "_runs_started", 0)
    monkeypatch.setattr(session, "_frozen", False)
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_the_long_lived_heap_is_frozen_once_at_the_second_run(fresh_heap):
    session.freeze_long_lived()  # the first run: its garbage is not collected yet
    assert gc.get_freeze_count() == 0
    session.freeze_long_lived()
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # pandas, numpy, streamlit, the test run's own objects
    later = [[] for _ in range(1000)]
    session.freeze_long_lived()  # a later run: nothing more is frozen
    # (Not "==": a frozen object nothing refers to any more is still freed meanwhile.)
    assert gc.get_freeze_count() <= frozen  # freezing again would add the 1,000 lists
    assert len(later) == 1000


def test_the_first_page_freezes_the_heap_at_its_end_once(fresh_heap):
    session.freeze_long_lived()  # the first run starts: nothing frozen yet
    assert gc.get_freeze_count() == 0
    session.freeze_after_page()  # its page ended: before Streamlit's collection
    frozen = gc.get_freeze_count()
    assert frozen > 10_000
    later = [[] for _ in range(1000)]
    session.freeze_after_page()  # a later page's end
    session.freeze_long_lived()  # the second run's start: frozen already
    assert gc.get_freeze_count() <= frozen  # freezing again would add the 1,000 lists
    assert len(later) == 1000


def test_garbage_made_after_the_freeze_is_still_collected(fresh_heap):
    session.freeze_long_lived()
    session.freeze_long_lived()
    gc.collect()

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a  # a cycle only the collector frees
    del a, b
    assert gc.collect() >= 2


def test_the_first_element_of_a_server_does_not_walk_the_stack(monkeypatch):
    from streamlit import delta_generator, env_util, runtime

    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed", False)
    monkeypatch.setattr(runtime, "exists", lambda: True)  # under `streamlit run`
    session.skip_repl_check()
    monkeypatch.setattr(env_util, "is_repl", lambda: pytest.fail("walked the stack"))
    delta_generator._maybe_print_use_warning()


def test_run_without_streamlit_the_app_still_warns(monkeypatch):
    from streamlit import delta_generator, runtime

    monkeypatch.setattr(delta_generator, "_use_warning_has_been_displayed", False)
    monkeypatch.setattr(runtime, "exists", lambda: False)
    session.skip_repl_check()
    assert delta_generator._use_warning_has_been_displayed is False
