from __future__ import annotations

import pytest

from coach.text import EmptyInput, InputTooLong, clean_input, clean_optional, normalise


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("k\u200bi\u200dll", "kill"),
        ("\uff48\uff45\uff4c\uff4c\uff4f", "hello"),  # full-width letters
        ("a\x00b\x07c", "abc"),
        ("line one\r\n\r\n\r\n\r\nline two", "line one\n\nline two"),
        ("  lots    of   space ", "lots of space"),
        ("\u202eevil\u202c", "evil"),
    ],
)
def test_normalise(raw: str, clean: str) -> None:
    assert normalise(raw) == clean


def test_limits() -> None:
    assert clean_input(" hi ", limit=10) == "hi"
    with pytest.raises(InputTooLong):
        clean_input("x" * 11, limit=10)
    with pytest.raises(EmptyInput):
        clean_input("\u200b", limit=10)
    assert clean_optional("   ", limit=10) is None
