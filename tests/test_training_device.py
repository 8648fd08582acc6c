"""seqlib.training_device: quick trains on the CPU untimed; full times the CPU and a GPU, if
there is one, and picks the faster. No GPU here: the GPU is faked and so are the timings."""

from __future__ import annotations

import importlib

import pytest
import torch

from seqlib import config
from seqlib.train import training_device, training_device_summary

train_module = importlib.import_module("seqlib.train")  # `seqlib.train` is the function

CPU = torch.device("cpu")


class FakeTimer:
    """seconds_for_steps with given seconds per device type; records what it was asked."""

    def __init__(self, **seconds: float) -> None:
        self.seconds = seconds
        self.asked: list[torch.device] = []

    def __call__(self, device: torch.device) -> float:
        self.asked.append(device)
        return self.seconds[device.type]


@pytest.fixture
def gpu_present(monkeypatch):
    monkeypatch.setattr(train_module, "pick_device", lambda: torch.device("cuda"))


@pytest.fixture
def no_gpu(monkeypatch):
    monkeypatch.setattr(train_module, "pick_device", lambda: CPU)


@pytest.mark.parametrize("profile", [config.load("quick"), "quick"])
def test_quick_trains_on_the_cpu_without_timing(gpu_present, profile):
    timer = FakeTimer(cpu=1.0, cuda=0.1)
    assert training_device(profile, timer) == (CPU, {})
    assert timer.asked == []


def test_full_without_a_gpu_trains_on_the_cpu_without_timing(no_gpu):
    timer = FakeTimer(cpu=1.0)
    assert training_device(config.load("full"), timer) == (CPU, {})
    assert timer.asked == []


@pytest.mark.parametrize(
    ("cpu", "cuda", "expected"), [(1.0, 0.25, "cuda"), (0.2, 0.5, "cpu"), (0.3, 0.3, "cpu")]
)
def test_full_with_a_gpu_picks_the_faster_and_reports_both(gpu_present, cpu, cuda, expected):
    timer = FakeTimer(cpu=cpu, cuda=cuda)
    device, timings = training_device("full", timer)
    assert device == torch.device(expected)  # a tie keeps the CPU
    assert timings == {"cpu": cpu, "cuda": cuda}
    assert [d.type for d in timer.asked] == ["cpu", "cuda"]


def test_an_explicit_gpu_is_the_one_timed(no_gpu):
    timer = FakeTimer(cpu=1.0, mps=0.5)
    assert training_device("full", timer, gpu="mps") == (torch.device("mps"), timer.seconds)


def test_summary_sentences(gpu_present):
    full, quick = config.load("full"), config.load("quick")
    faster = training_device_summary(full, torch.device("cuda"), {"cpu": 0.8, "cuda": 0.2})
    assert faster == (
        "the same steps took 800 ms on the CPU and 200 ms on cuda: the GPU is 4.0x faster for "
        "these models, so training runs on cuda"
    )
    slower = training_device_summary(full, CPU, {"cpu": 0.1, "cuda": 0.3})
    assert "the GPU is 3.0x slower for these models, so training runs on cpu" in slower
    assert "quick profile is the CPU reference run" in training_device_summary(quick, CPU, {})
    assert "found no GPU" in training_device_summary(full, CPU, {})


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"profile": "fast"}, ValueError, r"profile must be one of \['quick', 'full'\]"),
        ({"profile": 1}, TypeError, "profile must be a seqlib.config.Profile or its name, got int"),
        ({"seconds_for_steps": 0.5}, TypeError, "seconds_for_steps must be a function"),
        ({"gpu": "cpu"}, ValueError, "gpu must name a GPU"),
        ({"gpu": "tpu"}, ValueError, "device must be one of"),
        ({"gpu": 0}, TypeError, "device must be a str or torch.device"),
        ({"seconds_for_steps": lambda d: 0.0}, ValueError, r"seconds_for_steps\('cpu'\) must "
         "return seconds > 0, got 0.0"),
        ({"seconds_for_steps": lambda d: float("nan")}, ValueError, "seconds > 0, got nan"),
        ({"seconds_for_steps": lambda d: None}, TypeError, "must return a number of seconds"),
        ({"seconds_for_steps": lambda d: True}, TypeError, "must return a number of seconds"),
    ],
)  # fmt: skip
def test_bad_inputs(gpu_present, kwargs, error, match):
    arguments = {"profile": "full", "seconds_for_steps": FakeTimer(cpu=1.0, cuda=0.5)} | kwargs
    profile, timer = arguments.pop("profile"), arguments.pop("seconds_for_steps")
    with pytest.raises(error, match=match):
        training_device(profile, timer, **arguments)
