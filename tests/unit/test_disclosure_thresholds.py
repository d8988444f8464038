"""Disclosure thresholds: ACRO's defaults, the commons settings, per-dataset overrides, the strictest of several."""

from pathlib import Path

import pytest
import yaml

from commons_kernel.disclosure import Thresholds, resolve_thresholds
from commons_kernel.disclosure.acro_bridge import acro
from commons_kernel.exceptions import ConfigurationError

pytestmark = pytest.mark.unit

ENV = [
    "COMMONS_DISCLOSURE_THRESHOLD",
    "COMMONS_DISCLOSURE_P_RATIO",
    "COMMONS_DISCLOSURE_NK_N",
    "COMMONS_DISCLOSURE_NK_K",
    "COMMONS_DISCLOSURE_DOF",
]


@pytest.fixture(autouse=True)
def commons_defaults(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


def test_defaults_are_acros_own():
    shipped = yaml.safe_load((Path(acro.__file__).parent / "default.yaml").read_text())
    defaults = Thresholds.from_settings()
    assert defaults.threshold == shipped["safe_threshold"] == 10
    assert defaults.p_ratio == shipped["safe_pratio_p"] == 0.10
    assert (defaults.nk_n, defaults.nk_k) == (shipped["safe_nk_n"], shipped["safe_nk_k"]) == (2, 0.90)
    assert defaults.dof == shipped["safe_dof_threshold"] == 10
    assert defaults.zeros_are_disclosive is shipped["zeros_are_disclosive"] is True


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("COMMONS_DISCLOSURE_THRESHOLD", "25")
    monkeypatch.setenv("COMMONS_DISCLOSURE_NK_K", "0.8")
    thresholds = resolve_thresholds()
    assert thresholds.threshold == 25
    assert thresholds.nk_k == 0.8
    assert thresholds.dof == 10


def test_a_dataset_override_applies_only_where_stricter():
    stricter = resolve_thresholds(metadata={"name": "referrals", "disclosure": {"threshold": 20}})
    looser = resolve_thresholds(metadata={"name": "census", "disclosure": {"zeros_are_disclosive": False}})
    assert stricter.threshold == 20 and stricter.zeros_are_disclosive is True
    assert looser == Thresholds()  # zeros stay disclosive: a dataset cannot loosen a rule


@pytest.mark.parametrize(
    "block",
    [
        {"threshold": 1},
        {"threshold": 9},
        {"p_ratio": 0.01},
        {"nk_n": 1},
        {"nk_k": 0.99},
        {"dof": 0},
        {"zeros_are_disclosive": False},
    ],
)
def test_a_looser_dataset_value_is_ignored(block):
    assert resolve_thresholds(metadata={"name": "mine", "disclosure": block}) == Thresholds()


def test_a_looser_value_is_ignored_against_stricter_settings_too(monkeypatch):
    monkeypatch.setenv("COMMONS_DISCLOSURE_THRESHOLD", "25")
    assert resolve_thresholds(metadata={"disclosure": {"threshold": 20}}).threshold == 25
    assert resolve_thresholds(metadata={"disclosure": {"threshold": 30}}).threshold == 30


def test_a_request_says_which_values_would_apply():
    from commons_kernel.disclosure.thresholds import approved_block, review_request

    metadata = {"name": "mine", "disclosure": {"threshold": 1, "dof": 20, "nk_k": 0.9}}
    messages = [item.describe() for item in review_request(metadata)]
    assert messages == [
        "requested threshold 1: looser than the commons' 10, ignored",
        "requested dof 20: stricter than the commons' 10, applies once a steward approves it",
        "requested nk_k 0.9: the same as the commons' setting",
    ]
    assert approved_block(metadata) == {"dof": 20}
    assert approved_block({"disclosure": {"threshold": "ten"}}) == {}


def test_metadata_without_a_disclosure_block_changes_nothing():
    assert resolve_thresholds(metadata={"name": "imd"}) == Thresholds()


def test_several_datasets_take_the_strictest_value_of_each_rule():
    combined = resolve_thresholds(
        metadata=[
            {"disclosure": {"threshold": 20, "nk_k": 0.95}},
            {"disclosure": {"p_ratio": 0.2, "nk_k": 0.7, "dof": 5, "zeros_are_disclosive": False}},
        ]
    )
    assert combined == Thresholds(threshold=20, p_ratio=0.2, nk_n=2, nk_k=0.7, dof=10, zeros_are_disclosive=True)


def test_explicit_thresholds_override_settings(monkeypatch):
    monkeypatch.setenv("COMMONS_DISCLOSURE_THRESHOLD", "25")
    assert resolve_thresholds({"dof": 30}) == Thresholds(threshold=25, dof=30)
    assert resolve_thresholds(Thresholds(threshold=3)).threshold == 3


def test_override_values_written_as_text_are_parsed():
    thresholds = resolve_thresholds(
        metadata={"disclosure": {"threshold": "15", "nk_k": "0.8", "zeros_are_disclosive": "yes"}}
    )
    assert thresholds.threshold == 15 and thresholds.nk_k == 0.8 and thresholds.zeros_are_disclosive is True


@pytest.mark.parametrize(
    "block, message",
    [
        ({"threshold": "ten"}, "threshold='ten'"),
        ({"threshold": 0}, "at least 1"),
        ({"p_ratio": 1.5}, "from 0 to 1"),
        ({"nk_k": 0}, "above 0"),
        ({"nk_n": 2.5}, "whole number"),
        ({"treshold": 20}, "unknown disclosure thresholds ['treshold']"),
    ],
)
def test_bad_dataset_values_say_where_to_fix_them(block, message):
    with pytest.raises(ConfigurationError) as caught:
        resolve_thresholds(metadata={"name": "referrals", "disclosure": block})
    assert message in str(caught.value)
    assert "'referrals'" in str(caught.value)


def test_a_disclosure_block_must_be_a_mapping():
    with pytest.raises(ConfigurationError, match="must be a mapping"):
        resolve_thresholds(metadata={"disclosure": 20})


def test_a_bad_setting_names_its_environment_variable(monkeypatch):
    monkeypatch.setenv("COMMONS_DISCLOSURE_P_RATIO", "2")
    with pytest.raises(ConfigurationError, match="COMMONS_DISCLOSURE_P_RATIO"):
        Thresholds.from_settings()


def test_acro_config_uses_acros_names():
    config = Thresholds(threshold=20, p_ratio=0.2, nk_n=3, nk_k=0.8, dof=12).to_acro_config()
    assert config == {
        "safe_threshold": 20,
        "survival_safe_threshold": 20,
        "safe_pratio_p": 0.2,
        "safe_nk_n": 3,
        "safe_nk_k": 0.8,
        "safe_dof_threshold": 12,
        "zeros_are_disclosive": True,
    }
