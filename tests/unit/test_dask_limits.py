"""Dask cluster limits per group: members a few workers, an active project's members more, others none."""

from __future__ import annotations

import pickle

import pytest

from commons_hub.services.dask_gateway.limits import ClusterLimitExceeded, check_can_start_cluster, worker_limit
from commons_hub.services.dask_gateway.options import cluster_options
from commons_kernel.exceptions import AccessDenied, DataApiUnavailable, DatasetNotFound


def test_limits_by_group_and_project(monkeypatch):
    assert worker_limit({"members"}, [], None) == 2
    assert worker_limit({"members"}, ["early-help-demand"], "early-help-demand") == 8
    assert worker_limit({"members"}, ["early-help-demand"], None) == 2
    assert worker_limit({"members"}, [], "early-help-demand") == 2  # not theirs: the member limit
    assert worker_limit(set(), ["early-help-demand"], "early-help-demand") == 0
    monkeypatch.setenv("COMMONS_DASK_MEMBER_WORKERS", "1")
    assert worker_limit({"members"}, [], None) == 1


def test_over_the_limit_says_what_is_allowed_and_how_to_get_more():
    with pytest.raises(ClusterLimitExceeded) as caught:
        check_can_start_cluster("analyst2", {"members"}, [], 3, None)
    text = str(caught.value)
    assert "3 Dask workers asked for" in text and "limit is 2" in text
    assert "ck.dask_cluster(workers=2)" in text and "project='your-project'" in text
    assert check_can_start_cluster("analyst1", {"members"}, ["p"], 8, "p") == 8
    with pytest.raises(ClusterLimitExceeded, match="limit is 8"):
        check_can_start_cluster("analyst1", {"members"}, ["p"], 9, "p")


def test_a_project_that_is_not_theirs_and_a_non_member_are_refused():
    with pytest.raises(ClusterLimitExceeded, match="not a member of an active project called 'p'"):
        check_can_start_cluster("analyst2", {"members"}, [], 2, "p")
    with pytest.raises(ClusterLimitExceeded, match="not a member of the cooperative yet"):
        check_can_start_cluster("newcomer", set(), [], 1, None)


class _User:
    def __init__(self, name, groups, projects):
        self.name, self.groups, self.projects = name, set(groups), projects


def test_gateway_options_turn_into_the_cluster_limit():
    options = cluster_options()
    config = options.get_configuration(
        options.parse_options({"workers": 8, "project": "p"}), _User("a", ["members"], ["p"])
    )
    assert config == {"cluster_max_workers": 8}
    with pytest.raises(ClusterLimitExceeded):
        options.get_configuration(options.parse_options({"workers": 3}), _User("a", ["members"], []))


def test_teaching_errors_survive_the_trip_from_a_worker():
    for error in (
        AccessDenied("synthetic_referrals", "not a member", "ask to join"),
        DatasetNotFound("imd", ["imd2019_lsoa11"]),
        DataApiUnavailable("http://x/", "timeout"),
    ):
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error) and str(again) == str(error)
