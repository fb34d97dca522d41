"""Handing freed memory back (data.memory): callable everywhere, a no-op where glibc is absent."""

import platform
import sys

from data import memory


def test_release_freed_memory_answers_whether_memory_went_back():
    assert memory.release_freed_memory() in (True, False)


def test_glibc_is_found_where_it_is_the_c_library():
    assert (memory._malloc_trim() is not None) == (platform.libc_ver()[0] == "glibc")


def test_without_glibc_nothing_is_called(monkeypatch):
    monkeypatch.setattr(memory, "_malloc_trim", lambda: None)
    assert memory.release_freed_memory() is False


def test_arrow_pool_is_released_when_arrow_is_loaded(monkeypatch):
    released = []

    class Pool:
        def release_unused(self):
            released.append(True)

    class Arrow:
        @staticmethod
        def default_memory_pool():
            return Pool()

    monkeypatch.setitem(sys.modules, "pyarrow", Arrow)
    memory.release_freed_memory()
    assert released == [True]
    monkeypatch.delitem(sys.modules, "pyarrow")
    memory.release_freed_memory()  # a process that never loaded Arrow: nothing to release, no import
    assert released == [True] and "pyarrow" not in sys.modules
