"""seqlib.memory: round 1's verdict notes say what was measured, and the prediction check."""

import pytest

import seqlib
from seqlib.memory import verdict_notes

TF = "Transformer (sinusoidal)"


def results(**changes: object) -> dict:
    """A small made-up set of round 1 measurements, in the shapes the notebook builds."""
    base = dict(
        delayed={
            "LSTM": {10: [1.0, 1.0, 0.98], 100: [0.2, 0.3, 0.4]},
            "vanilla RNN": {10: [0.9, 0.9, 0.9], 100: [0.1, 0.125, 0.15]},
            "Transformer": {10: [1.0, 1.0, 1.0], 100: [1.0, 0.99, 0.98]},
        },
        delay_params={"LSTM": 1234, "vanilla RNN": 1250, "Transformer": 1240},
        forget_bias=1.0,
        max_steps=200,
        recall={"Transformer": [1.0, 1.0, 0.97], "LSTM": [0.3, 0.25, 0.35]},
        recall_params={"Transformer": 25_000, "LSTM": 24_800},
        n_pairs=4,
        parity={
            "LSTM": {1: [1.0, 1.0, 1.0], 10: [1.0, 0.99, 0.98]},
            TF: {1: [0.9, 0.9, 0.9], 10: [0.5, 0.5, 0.5]},
        },
        parity_params={"LSTM": 17_000, TF: 17_100},
        train_len=20,
        stepwise_diff=3e-8,
        past_diff=0.0,
    )
    return base | changes


def test_one_note_per_claim_of_round_1_in_the_table_s_order():
    notes = verdict_notes(**results())
    assert list(notes) == [claim.id for claim in seqlib.claims.claims_of_round(1)]
    assert all(isinstance(text, str) and text for text in notes.values())


def test_the_notes_carry_the_measurements_and_the_setting():
    notes = verdict_notes(**results())
    assert notes["r1.gates_long_term"] == (
        "delayed recall at D=100, LSTM (1,234 params, forget bias 1); vanilla RNN 0.12, "
        "Transformer 0.99; at most 200 steps"
    )
    assert notes["r1.remember_10_steps"] == (
        "delayed recall at D=10 (the value 11 steps before the query), LSTM (1,234 params)"
    )
    assert notes["r1.sequential"] == (
        "LSTM step by step vs whole sequence 3e-08; output at t after changing later inputs 0e+00"
    )
    assert notes["r1.decides_what_matters"] == (
        "MQAR with 4 pairs: Transformer (25,000 params); matched LSTM (24,800) 0.30"
    )
    assert notes["r1.no_memory"] == (
        "running parity at the training length 20, Transformer (sinusoidal) (17,100 params); "
        "beyond (10x): 0.50; LSTM (17,000): 1.00 in distribution, 0.99 at 10x"
    )


def test_the_distances_and_the_factor_come_from_the_measurements():
    delayed = {
        name: {200: accs, 10: accs, 30: accs}  # any order: the shortest and longest are read
        for name, accs in (("LSTM", [1.0]), ("vanilla RNN", [0.5]), ("Transformer", [0.75]))
    }
    parity = {"LSTM": {1: [1.0], 5: [0.8]}, "T": {1: [1.0], 5: [0.6]}}
    counts = {"LSTM": 1, "T": 2}
    notes = verdict_notes(
        **results(delayed=delayed, parity=parity, parity_params=counts, transformer="T")
    )
    assert notes["r1.formula"].startswith("delayed recall at D=200,")
    assert "D=10 (the value 11 steps" in notes["r1.remember_10_steps"]
    assert "beyond (5x): 0.60" in notes["r1.no_memory"] and "0.80 at 5x" in notes["r1.no_memory"]


def test_a_missing_fighter_is_named():
    delayed = results()["delayed"]
    with pytest.raises(ValueError, match="vanilla RNN"):
        verdict_notes(**results(delayed={k: v for k, v in delayed.items() if k != "vanilla RNN"}))
    with pytest.raises(ValueError, match="Transformer"):
        verdict_notes(**results(parity={"LSTM": {1: [1.0], 10: [1.0]}}))


