import ast
from pathlib import Path

import shinealight.core.normalise as normalise


def test_the_public_names_are_exported() -> None:
    assert sorted(normalise.__all__) == sorted(
        [
            "PartialDate",
            "name_tokens",
            "normalise_handle",
            "normalise_name",
            "normalise_nhs_number",
            "normalise_phone",
            "normalise_postcode",
            "normalise_vrm",
            "parse_datetime_with_offset",
            "parse_partial_date",
            "postcode_district",
            "postcode_sector",
            "vrm_could_match",
            "vrm_is_partial",
        ]
    )
    for name in normalise.__all__:
        assert hasattr(normalise, name)


def test_the_package_never_imports_django() -> None:
    package = Path(normalise.__file__).parent
    for module in package.glob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] == "django" for n in names), module.name
