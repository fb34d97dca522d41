"""Handing freed memory back (data.memory): callable everywhere, a no-op where glibc is absent."""

import platform

from data import memory


def test_release_freed_memory_answers_whether_memory_went_back():
    assert memory.release_freed_memory() in (True, False)


def test_glibc_is_found_where_it_is_the_c_library():
    assert (memory._malloc_trim() is not None) == (platform.libc_ver()[0] == "glibc")


def test_without_glibc_nothing_is_called(monkeypatch):
    monkeypatch.setattr(memory, "_malloc_trim", lambda: None)
    assert memory.release_freed_memory() is False
