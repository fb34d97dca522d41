"""Handing memory a replaced frame freed back to the operating system.

glibc's allocator keeps what a process frees in its heap for later use instead of returning it:
after a save, the dashboard process brings its million-row frame up to date and drops the old
one, yet its resident memory stayed where the two together had taken it (at a million contacts
about 400 MB above the live frames, each save; measured with ``bench/bench_phases.py``'s
steps). ``release_freed_memory`` asks glibc to return the free pages (``malloc_trim(0)``: 10–30
ms at that size; with another C library it does nothing), and Arrow's memory pool likewise
(pyarrow's default pool, release_unused): reading the million-row frames snapshot (``journeys.fieldwork.snapshot``)
left 300 MB in that pool for the rest of the process's life.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys


@functools.cache
def _malloc_trim():
    """glibc's ``malloc_trim``, or None where there is none (another C library, another system)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_freed_memory() -> bool:
    """Return the memory the process has freed to the operating system; True when glibc returned some."""
    arrow = sys.modules.get("pyarrow")  # not imported for this: a process that never loaded it has no pool
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
    trim = _malloc_trim()
    return bool(trim(0)) if trim is not None else False
