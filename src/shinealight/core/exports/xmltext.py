"""Text that XML 1.0 can carry, and the one way exports serialise an element tree."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

# Control characters, lone surrogates and the two non-characters XML 1.0 forbids: a name
# pasted from a phone can carry them, and one would make the whole file unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: object) -> str:
    """`value` as text an XML parser accepts (forbidden characters become U+FFFD)."""
    return _NOT_XML.sub("\ufffd", str(value))


def xml_bytes(root: ET.Element) -> bytes:
    """The tree as indented UTF-8 with an XML declaration; etree escapes `<`, `&` and quotes."""
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"
