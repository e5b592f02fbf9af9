import pytest

from shinealight.core.normalise import normalise_handle


def test_platform_and_handle_become_one_key() -> None:
    assert normalise_handle("Snapchat", "@Ash_99") == "snapchat:ash_99"


@pytest.mark.parametrize(
    ("platform", "handle"),
    [("snapchat", "ash_99"), ("SNAPCHAT", "@ASH_99"), (" Snapchat ", " @@Ash_99 ")],
)
def test_the_same_account_written_differently_gives_the_same_key(
    platform: str, handle: str
) -> None:
    assert normalise_handle(platform, handle) == "snapchat:ash_99"


@pytest.mark.parametrize("platform", [None, "", "  "])
def test_a_handle_with_no_platform_keeps_an_empty_platform(platform: str | None) -> None:
    assert normalise_handle(platform, "@Ash_99") == ":ash_99"


def test_the_same_handle_on_different_platforms_stays_distinct() -> None:
    assert normalise_handle("Snapchat", "ash_99") != normalise_handle("Instagram", "ash_99")


@pytest.mark.parametrize("handle", ["", "@", "  @ "])
def test_an_empty_handle_gives_an_empty_key(handle: str) -> None:
    assert normalise_handle("Snapchat", handle) == ""
