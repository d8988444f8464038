"""docs/analysts/disclosure.md describes every rule, its default and its setting."""

import pytest

from commons_kernel.config import PROJECT_ROOT, SETTINGS
from commons_kernel.disclosure import RULES, Thresholds
from commons_kernel.disclosure.thresholds import SETTING_NAMES

pytestmark = pytest.mark.unit

PAGE = PROJECT_ROOT / "docs" / "analysts" / "disclosure.md"


@pytest.fixture(scope="module")
def page() -> str:
    return PAGE.read_text(encoding="utf-8")


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_rule_has_a_section(page, rule):
    assert f"### `{rule}`" in page


@pytest.mark.parametrize("field", sorted(SETTING_NAMES))
def test_every_setting_is_named_with_its_variable_and_default(page, field):
    setting = SETTINGS[SETTING_NAMES[field]]
    row = next((line for line in page.splitlines() if line.startswith(f"| `{field}` ")), "")
    assert f"`{setting.name}`" in row and f"`{setting.env}`" in row, row
    assert f"| {setting.default} |" in row, row
    assert float(getattr(Thresholds(), field)) == float(setting.default)  # the page, the setting and ACRO agree


def test_the_dataset_only_value_is_documented(page):
    assert "| `zeros_are_disclosive` " in page


@pytest.mark.parametrize("column", ["row", "column", "value", "status", "rules", "reasons"])
def test_every_report_column_is_explained(page, column):
    assert f"`{column}`" in page
