"""Tests for seqlib.config: explicit argument > $SEQLIB_PROFILE > hardware default."""

from __future__ import annotations

import pytest

from seqlib import config


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv(config.ENV_VAR, raising=False)
    return monkeypatch


def test_explicit_argument_wins_over_env(no_env):
    no_env.setenv(config.ENV_VAR, "quick")
    profile = config.load("full")
    assert profile.name == "full" and profile.full and not profile.quick
    assert profile.source == "the notebook's parameters cell"


def test_env_wins_over_hardware(no_env):
    no_env.setattr(config, "_gpu_present", lambda: True)
    no_env.setenv(config.ENV_VAR, "quick")
    profile = config.load()
    assert profile.name == "quick" and profile.source == "$SEQLIB_PROFILE"


@pytest.mark.parametrize(("gpu", "expected"), [(True, "full"), (False, "quick")])
def test_hardware_default(no_env, gpu, expected):
    no_env.setattr(config, "_gpu_present", lambda: gpu)
    profile = config.load()
    assert profile.name == expected
    assert profile.source.startswith("default")


def test_names_are_normalised(no_env):
    no_env.setenv(config.ENV_VAR, " FULL ")
    assert config.load().name == "full"
    assert config.load("Quick").name == "quick"


def test_bad_name_from_argument(no_env):
    with pytest.raises(ValueError, match=r"profile must be one of \['quick', 'full'\], got 'fast'"):
        config.load("fast")


def test_bad_name_from_env(no_env):
    no_env.setenv(config.ENV_VAR, "turbo")
    with pytest.raises(ValueError, match=r"must be one of \['quick', 'full'\], got 'turbo'"):
        config.load()


def test_pick_and_str(no_env):
    quick, full = config.load("quick"), config.load("full")
    assert quick.pick(quick=300, full=3000) == 300
    assert full.pick(quick=300, full=3000) == 3000
    assert str(quick) == "quick (chosen by the notebook's parameters cell)"
