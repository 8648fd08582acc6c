"""Tests for seqlib.config: explicit argument > $SEQLIB_PROFILE > quick, whatever the hardware."""

from __future__ import annotations

import pytest
import torch

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


def test_env_wins_over_the_default(no_env):
    no_env.setenv(config.ENV_VAR, "full")
    profile = config.load()
    assert profile.name == "full" and profile.source == "$SEQLIB_PROFILE"


def test_the_default_is_quick_and_says_how_to_choose_full(no_env):
    profile = config.load()
    assert profile.name == "quick" and profile.quick
    assert profile.source == config.DEFAULT_SOURCE
    assert 'PROFILE = "full"' in str(profile) and "SEQLIB_PROFILE=full" in str(profile)


def test_a_gpu_does_not_select_full(no_env):
    no_env.setattr(torch.cuda, "is_available", lambda: True)
    mps = getattr(torch.backends, "mps", None)
    if mps is not None:
        no_env.setattr(mps, "is_available", lambda: True)
    assert config.load().name == "quick"


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


def test_progress_bars_only_in_full(no_env):
    assert config.load("full").progress and not config.load("quick").progress
