"""What loading the ASGI application does once per server process (journeymap/asgi.py)."""

from __future__ import annotations

import gc


def test_the_objects_loaded_at_startup_are_kept_out_of_full_garbage_collections() -> None:
    import journeymap.asgi  # noqa: F401 - loading it is what is tested

    # Django, the views and the app's modules: a full collection no longer walks them all
    # (75 ms each on the benchmark machine, a stall of every socket of the process).
    assert gc.get_freeze_count() > 50_000
