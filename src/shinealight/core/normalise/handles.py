"""Online account handles (Snapchat, Instagram, …) as one comparable key."""


def normalise_handle(platform: str | None, handle: str) -> str:
    """Return ``"platform:handle"`` with the leading ``@`` removed and both case-folded.

    With no platform the key is ``":handle"``, so it can still be compared with other
    handles whose platform is unknown. An empty handle gives ``""``, which callers
    should treat as "no account recorded".
    """
    name = (handle or "").strip().lstrip("@").strip().casefold()
    if not name:
        return ""
    # The same platform arrives as "Snapchat", "snapchat " or "Snap Chat"-like
    # variants; whitespace is collapsed but spellings are not guessed at.
    site = " ".join((platform or "").split()).casefold()
    return f"{site}:{name}"
