"""seqlib.hire: advice from measured curves, with its reason; nonsense input is refused."""

import pytest

from seqlib.hire import (
    Advice,
    Measurements,
    accuracy_at,
    advice_html,
    advise,
    latency_at,
    validate_inputs,
    verdict_sentences,
)
from seqlib.measurement import Measurement


def measured(**changes):
    values = dict(
        sizes=[50, 200, 800, 3200],
        accuracy={"LSTM": [0.40, 0.42, 0.43, 0.43], "Transformer": [0.30, 0.38, 0.43, 0.44]},
        positions=[64, 128, 256],
        ms_per_token={"LSTM": [0.2, 0.2, 0.2], "Transformer": [0.5, 1.0, 2.0]},
        cost_per_million={"LSTM": 0.01, "Transformer": 0.03},
        device="cpu",
    )
    values.update(changes)
    return Measurements(**values)


def test_small_data_goes_to_the_better_learning_curve():
    advice = advise(100, 64, 10.0, "cpu", measured())
    assert advice.fighter == "LSTM" and advice.driver == "learning curve"
    assert "100 examples" in advice.reason


def test_a_tight_budget_decides_by_latency():
    advice = advise(3200, 256, 1.0, "cpu", measured())
    assert advice.fighter == "LSTM" and advice.driver == "latency per token"
    assert "1 ms" in advice.reason


def test_neither_fits_a_budget_below_both():
    advice = advise(3200, 256, 0.1, "cpu", measured())
    assert advice.fighter is None and "Neither" in advice.reason
    assert "neither" in str(advice)


def test_large_data_goes_to_the_transformer_when_its_curve_leads():
    advice = advise(3200, 64, 10.0, "cpu", measured(), margin=0.005)
    assert advice.fighter == "Transformer" and advice.driver == "learning curve"


def test_a_tie_goes_to_the_cheaper():
    advice = advise(800, 64, 10.0, "cpu", measured())
    assert advice.driver == "cost per million tokens" and advice.fighter == "LSTM"


def test_beyond_the_measured_sizes_the_advice_says_so():
    advice = advise(100_000, 64, 10.0, "cpu", measured())
    assert any("beyond the largest measured size" in d for d in [advice.reason, *advice.details])
    # the curve is not extrapolated: the last measured lead does not decide
    assert advice.driver == "cost per million tokens" and "not a measured size" in advice.reason


def test_cpu_timings_never_become_advice_on_a_gpu():
    # the learning curve (hardware-independent) decides; latency and cost are left out
    advice = advise(100, 256, 1.0, "gpu", measured())
    assert advice.fighter == "LSTM" and advice.driver == "learning curve"
    assert any("not consulted" in d and "measured on cpu" in d for d in advice.details)
    # no lead on the curve: no advice, rather than CPU costs passed off as GPU ones
    for n in (800, 100_000):
        advice = advise(n, 64, 10.0, "gpu", measured())
        assert advice.fighter is None and advice.driver == "none"
        assert "No advice for a gpu" in advice.reason and "per million" not in advice.reason
    # a budget no fighter meets on the CPU says nothing about a GPU
    assert advise(800, 256, 0.1, "gpu", measured()).driver == "none"
    # GPU timings for a GPU question are used; for a CPU question they are not
    on_gpu = measured(device="cuda:0")
    assert advise(800, 64, 10.0, "gpu", on_gpu).driver == "cost per million tokens"
    assert advise(800, 64, 10.0, "cpu", on_gpu).fighter is None
    assert not any("not consulted" in d for d in advise(100, 64, 10.0, "cpu", measured()).details)


def test_curves_are_read_not_invented():
    assert accuracy_at([50, 200], [0.1, 0.3], 100)[0] == pytest.approx(0.2)  # log-midpoint
    assert accuracy_at([50, 200], [0.1, 0.3], 10) == (0.1, "below")
    assert accuracy_at([50, 200], [0.1, 0.3], 10_000) == (0.3, "beyond")
    assert latency_at([10, 20], [1.0, 2.0], 15) == (1.5, False)
    value, extrapolated = latency_at([10, 20], [1.0, 2.0], 40)
    assert extrapolated and value == pytest.approx(4.0)
    assert latency_at([10, 20], [1.0, 1.0], 1000)[0] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-5, 64, 1.0, "cpu"), "n_examples"),
        ((0, 64, 1.0, "cpu"), "n_examples"),
        ((10, -1, 1.0, "cpu"), "seq_length"),
        ((10, 2.5, 1.0, "cpu"), "seq_length"),
        ((10, 64, 0, "cpu"), "latency_budget_ms"),
        ((10, 64, -3.0, "cpu"), "latency_budget_ms"),
        ((10, 64, float("nan"), "cpu"), "latency_budget_ms"),
        ((10, 64, 1.0, "tpu"), "hardware"),
        (("ten", 64, 1.0, "cpu"), "n_examples"),
        ((float("inf"), 64, 1.0, "cpu"), "n_examples"),
    ],
)
def test_nonsense_input_gets_a_clear_message(args, message):
    with pytest.raises(ValueError, match=message):
        validate_inputs(*args)
    with pytest.raises(ValueError, match=message):
        advise(*args, measured())
    assert "⚠️" in advice_html(*args, measured()) and message in advice_html(*args, measured())


def test_measurements_are_checked():
    with pytest.raises(ValueError, match="Transformer"):
        measured(accuracy={"LSTM": [0.1, 0.2, 0.3, 0.4]})
    with pytest.raises(ValueError, match="one per entry"):
        measured(ms_per_token={"LSTM": [1.0], "Transformer": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="increasing"):
        measured(sizes=[200, 50, 800, 3200])
    with pytest.raises(TypeError, match="Measurements"):
        advise(10, 10, 1.0, "cpu", {"sizes": [1, 2]})


def test_advice_renders_as_text_and_html():
    advice = Advice("LSTM", "learning curve", "because <measured>", ["detail"])
    assert str(advice).startswith("LSTM (decided by: learning curve)")
    assert "&lt;measured&gt;" in advice.to_html() and "<li>detail</li>" in advice.to_html()


def test_the_margin_sets_what_counts_as_a_lead():
    # 100 examples: LSTM 0.41, Transformer 0.34 (log-interpolated): a lead of about 0.07
    assert advise(100, 64, 10.0, "cpu", measured(), margin=0.05).driver == "learning curve"
    assert advise(100, 64, 10.0, "cpu", measured(), margin=0.1).driver == "cost per million tokens"
    assert "learning curve" in advice_html(100, 64, 10.0, "cpu", measured(), margin=0.05)
    assert "cost per million" in advice_html(100, 64, 10.0, "cpu", measured(), margin=0.1)
    for bad in (-0.1, float("nan"), "0.1", True):
        with pytest.raises(ValueError, match="margin"):
            advise(100, 64, 10.0, "cpu", measured(), margin=bad)


# ---------------------------------------------------------------------------------------------
# The verdict's sentences: words from the round's numbers, every branch
# ---------------------------------------------------------------------------------------------


def sentences(**changes):
    values = dict(
        small=Measurement([-0.03, -0.01, 0.0], seeds=3),
        large=Measurement([0.2, 0.21, 0.23], seeds=3),
        sizes=[25, 100, 400],
        ceilings={"local": 0.4226, "look_back": 0.7263},
        params={"Transformer": 13808, "LSTM": 13744},
        steps=300,
        seeds=[0, 1, 2],
        trained_on="cpu, 1 thread, torch 2.x",
        large_min=5000,
        cost=Measurement([2.0, 2.1, 2.2, 2.3, 2.4], repeats=5),
        cost_by_phase={
            "inference": Measurement([2.0, 2.1, 2.2, 2.3, 2.4], repeats=5),
            "training": Measurement([2.5, 2.6, 2.7, 2.8, 2.9], repeats=5),
        },
        threads=1,
        cpu_seconds=Measurement([3.0, 4.0, 5.0], seeds=3),
        used={"LSTM": True, "Transformer": True},
        block="TransformerEncoderLayer",
    )
    values.update(changes)
    return verdict_sentences(**values)


def test_verdict_sentences_name_every_judged_claim_and_its_numbers():
    said = sentences()
    assert set(said) == {
        "biz.small_data",
        "biz.large_data",
        "biz.cost",
        "biz.requires_gpus",
        "biz.framework",
    }
    fair = (
        "LSTM 13,744 vs Transformer 13,808 params, 300 steps, early-stopped, seeds (0, 1, 2), "
        "trained on cpu, 1 thread, torch 2.x"
    )
    assert said["biz.small_data"] == (
        "LSTM - Transformer test accuracy, 25 sequences: -0.013 [-0.030, +0.000] over 3 seeds "
        f"(ceilings 0.423 local, 0.726 look-back; {fair})"
    )
    assert said["biz.large_data"].startswith(
        f"Transformer - LSTM test accuracy, 400 sequences: +0.213 [+0.200, +0.230] over 3 seeds "
        f"({fair}); under 5,000 sequences: not 'large'"
    )
    assert said["biz.cost"] == (
        "Transformer / LSTM cost per token on this CPU, the smaller phase of each repeat: "
        "2.20 [2.00, 2.40] over 5 repeats (inference 2.20 [2.00, 2.40] over 5 repeats, training "
        "2.70 [2.50, 2.90] over 5 repeats); 13,808 vs 13,744 params, 1 thread"
    )
    assert said["biz.requires_gpus"] == (
        "cited, not judged here (the criterion names the papers); for scale only: this "
        "notebook's 13,808-parameter Transformer trained on this CPU in 3.0-5.0 s per run "
        "(every seed), a size that says nothing of the models the claim is about"
    )
    assert said["biz.framework"] == (
        "nn.LSTM used; nn.Transformer used by this round's fighters, directly or through its "
        "building block (nn.Transformer's encoder is made of TransformerEncoderLayer, which the "
        "Transformer fighter stacks)"
    )


def test_a_large_enough_set_is_not_called_too_small():
    said = sentences(sizes=[25, 1600, 6400])
    assert said["biz.large_data"].startswith("Transformer - LSTM test accuracy, 6,400 sequences")
    assert "not 'large'" not in said["biz.large_data"]


def test_a_run_trained_off_the_cpu_says_where_and_stays_cited():
    said = sentences(cpu_seconds=None, trained_on="cuda (Tesla T4), 2 threads, torch 2.x",
                     threads=2)  # fmt: skip
    assert said["biz.requires_gpus"] == (
        "cited, not judged here (the criterion names the papers); this run trained on cuda "
        "(Tesla T4), 2 threads, torch 2.x"
    )
    assert said["biz.cost"].endswith("2 threads")


def test_a_fighter_not_built_from_the_named_class_is_said_so():
    said = sentences(used={"LSTM": True, "Transformer": False}, block=None)
    assert said["biz.framework"].startswith("nn.LSTM used; nn.Transformer not used")
    assert said["biz.framework"].endswith("encoder is made of ?)")


# ---------------------------------------------------------------------------------------------
# Numbers from numpy are numbers; nonsense measurements are refused (as ValueError, which the
# explorer shows), never turned into advice about "LSTM nan"
# ---------------------------------------------------------------------------------------------


def test_numpy_numbers_are_accepted():
    import numpy as np

    assert validate_inputs(np.int64(1000), np.int32(64), np.float32(2.0), "cpu") == (
        1000, 64, 2.0, "cpu",
    )  # fmt: skip
    assert type(validate_inputs(np.int64(1000), 64, 2, "cpu")[0]) is int
    advice = advise(np.int64(100), np.int64(64), np.float64(10.0), "cpu", measured(),
                    margin=np.float32(0.05))  # fmt: skip
    assert advice.driver == "learning curve"
    m = measured(sizes=np.array([50, 200, 800, 3200]),
                 accuracy={"LSTM": np.array([0.4, 0.42, 0.43, 0.43]),
                           "Transformer": [0.3, 0.38, 0.43, 0.44]})  # fmt: skip
    assert advise(100, 64, 10.0, "cpu", m).fighter == "LSTM"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"accuracy": {"LSTM": [0.4, float("nan"), 0.4, 0.4], "Transformer": [0.3] * 4}},
         r"accuracy\['LSTM'\]\[1\] must be finite"),
        ({"accuracy": {"LSTM": ["ab"] * 4, "Transformer": [0.3] * 4}},
         r"accuracy\['LSTM'\]\[0\] must be a number"),
        ({"accuracy": {"LSTM": [0.4, 1.5, 0.4, 0.4], "Transformer": [0.3] * 4}},
         r"accuracy\['LSTM'\]\[1\] must be in \[0, 1\]"),
        ({"accuracy": {"LSTM": 0.4, "Transformer": [0.3] * 4}},
         r"accuracy\['LSTM'\] must be a list of numbers"),
        ({"ms_per_token": {"LSTM": [0.2, -0.2, 0.2], "Transformer": [0.5, 1.0, 2.0]}},
         r"ms_per_token\['LSTM'\]\[1\] must be >= 0"),
        ({"cost_per_million": {"LSTM": 1.0}}, r"cost_per_million has no entry for \['Transfor"),
        ({"cost_per_million": {"LSTM": "1", "Transformer": 1.0}},
         r"cost_per_million\['LSTM'\] must be a number"),
        ({"cost_per_million": {"LSTM": float("nan"), "Transformer": 1.0}},
         r"cost_per_million\['LSTM'\] must be finite"),
        ({"sizes": ["a", "b", "c", "d"]}, r"sizes\[0\] must be a number"),
        ({"accuracy": [0.4, 0.4]}, "accuracy must map each fighter"),
        ({"device": 0}, "device must be a str"),
    ],
)  # fmt: skip
def test_nonsense_measurements_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        measured(**changes)


def test_curve_readers_check_their_input():
    with pytest.raises(ValueError, match="n must be at least 1"):
        accuracy_at([50, 200], [0.1, 0.3], 0)
    with pytest.raises(ValueError, match="one per entry of sizes"):
        accuracy_at([50, 200], [0.1], 100)
    with pytest.raises(ValueError, match="length must be at least 1"):
        latency_at([10, 20], [1.0, 2.0], -4)
    with pytest.raises(ValueError, match="one per entry of positions"):
        latency_at([10, 20], [1.0, 2.0, 3.0], 15)


def test_verdict_sentences_name_a_missing_entry():
    with pytest.raises(ValueError, match=r"params has no entry for \['LSTM'\]"):
        sentences(params={"Transformer": 13808})
    with pytest.raises(ValueError, match=r"cost_by_phase has no entry for \['training'\]"):
        sentences(cost_by_phase={"inference": Measurement([2.0] * 5, repeats=5)})


@pytest.mark.parametrize("margin", [float("inf"), float("nan"), -0.1, True, "0.1"])
def test_the_margin_is_a_finite_accuracy_difference(margin):
    with pytest.raises(ValueError, match="margin must be a finite accuracy difference"):
        advise(100, 64, 10.0, "cpu", measured(), margin=margin)


# ---------------------------------------------------------------------------------------------
# The data rows whose margin the advice uses: their rule and controls (seqlib.claims)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claim_id", "negative", "positive"),
    [("biz.small_data", "lstm_vs_lstm", "lstm_vs_untrained"),
     ("biz.large_data", "transformer_vs_transformer", "transformer_vs_untrained")],
)  # fmt: skip
def test_data_rows_are_guarded_by_their_controls(claim_id, negative, positive):
    from seqlib.claims import CLAIMS

    claim = CLAIMS[claim_id]
    m = lambda *v: Measurement(list(v), seeds=len(v))  # noqa: E731
    noise, planted = m(-0.007, 0.001, -0.017), m(0.27, 0.29, 0.30)

    def judged(gap, neg=noise, pos=planted):
        return claim.assess(gap, controls={negative: neg, positive: pos})

    assert judged(m(0.05, 0.04, 0.06)).verdict == "confirmed"
    assert judged(m(-0.05, -0.04, -0.06)).verdict == "refuted"
    assert judged(m(-0.028, -0.005, -0.016)).verdict == "nuanced"
    # init noise that looks like a lead: a lead of the same size means nothing
    fooled = judged(m(0.05, 0.04, 0.06), neg=m(0.03, 0.025, 0.04))
    assert (fooled.rule_verdict, fooled.verdict) == ("confirmed", "inconclusive")
    # a pipeline that refutes even a planted gap: its refutation means nothing
    blind = judged(m(-0.05, -0.04, -0.06), pos=m(-0.03, -0.05, -0.04))
    assert (blind.rule_verdict, blind.verdict) == ("refuted", "inconclusive")
    assert claim.assess(None).verdict == "not measured here"
