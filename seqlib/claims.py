"""The fight card's claims, each with the criterion that judges it, written before any run.

Every claim the fight card makes is here once, with a short stable ``id`` the notebooks use,
the fight card's own words (``quote``, verbatim: a test checks it against ``fight_card.txt``),
the ``criterion`` in words, the ``rule`` that turns a :class:`~seqlib.measurement.Measurement`
into a verdict, the **controls** that show the experiment could have come out the other way, and
the **grid** it is measured on. All of it is fixed here, so a notebook cannot bend it after seeing
its numbers::

    claim = CLAIMS["r1.remember_10_steps"]
    claim.criterion           # what is measured, and the thresholds
    claim.controls            # the negative and positive controls the notebook must run
    claim.grid_for("quick")   # what it is measured on, in this profile
    claim.judge(measurement, device="cpu", controls={"lstm_cut": ..., "transformer": ...})

How a rule, its controls and the verdicts work is in :mod:`seqlib.rules` (its names are
re-exported here). Every claim whose rule can confirm registers a negative control, and every one
whose rule can refute a positive control (checked when a claim is made). A claim with
``hardware="gpu"`` is "not measured here" on a CPU whatever the numbers: a CPU result settles a
CPU claim, nothing more.
"""

from __future__ import annotations

from pathlib import Path

from seqlib.rules import (
    CHECKED,
    CONFIRMED,
    GPU_DEVICES,
    INCONCLUSIVE,
    KINDS,
    MEASURED_KINDS,
    MEASURED_OUTCOMES,
    NEGATIVE,
    NOT_MEASURED,
    NUANCED,
    OUTCOMES,
    POSITIVE,
    REFUTED,
    AtLeast,
    AtMost,
    Check,
    Cited,
    Claim,
    Control,
    ControlResult,
    FromClaims,
    Judgement,
    OnlyRefutable,
    Rule,
    combine,
    guard,
)

__all__ = [
    "CHECKED",
    "CLAIMS",
    "CONFIRMED",
    "GPU_DEVICES",
    "INCONCLUSIVE",
    "KINDS",
    "LARGE_DATA_MIN",
    "MEASURED_KINDS",
    "MEASURED_OUTCOMES",
    "NEGATIVE",
    "NOT_MEASURED",
    "NUANCED",
    "OUTCOMES",
    "POSITIVE",
    "REFUTED",
    "AtLeast",
    "AtMost",
    "Check",
    "Cited",
    "Claim",
    "Control",
    "ControlResult",
    "FromClaims",
    "Judgement",
    "OnlyRefutable",
    "Rule",
    "claims_of_round",
    "combine",
    "fight_card",
    "guard",
]

LARGE_DATA_MIN = 5_000  # sequences: the least training set the course calls "large"
FIGHT_CARD = Path(__file__).resolve().parent / "fight_card.txt"


def fight_card() -> str:
    """The fight card the course starts from, word for word."""
    return FIGHT_CARD.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# The registry
# ---------------------------------------------------------------------------------------------

_CLAIMS = [
    # -- Round 1: memory power ------------------------------------------------------------------
    Claim(
        "r1.gates_long_term", 1,
        "Designed to remember long-term dependencies using clever gates (input, forget, output).",
        "Delayed recall: a value token (1 of 8: chance is 0.125) is shown once, then D "
        "distractors, then a query: name the value. Every fighter is trained and tested at each "
        "distance of the grid (in distribution), parameter-matched, with the same data, steps, "
        "batch, learning rate and seeds. The LSTM's gates start as the chrono initialisation "
        "sets them for lags up to the sequence length (Tallec & Ollivier 2018: forget-gate "
        "biases log U(1, T - 1), input-gate biases their negative). Measured: the LSTM's test "
        "accuracy at the longest distance, seed by seed. The claim is about the gates, so it is "
        "judged where the gated and the plain recurrence part: the vanilla RNN must not hold the "
        "token there, and the LSTM must hold it where the RNN has lost it. 'At chance': every "
        "seed <= at_chance (0.25, twice chance; a guessing model's accuracy on the 500 test "
        "sequences varies by about 0.015). If the LSTM is at chance wherever the RNN is, the "
        "budget taught the gates nothing: inconclusive, not a refutation.",
        AtLeast(0.9, 0.25), kind="trained", measures="LSTM accuracy at the longest distance",
        controls=(
            Control("vanilla_rnn", NEGATIVE, "the vanilla RNN (the same recurrence without "
                    "gates or cell state, parameter-matched), trained identically, at the "
                    "longest distance"),
            Control("lstm_where_rnn_lost", POSITIVE, "the same LSTM at the shortest distance "
                    "of the grid at which every vanilla RNN seed is at chance: the gates holding "
                    "a lag the plain recurrence loses at this budget (not measured, so no "
                    "refutation, if the RNN is never at chance)"),
            Control("transformer", POSITIVE, "the Transformer at the longest distance, trained "
                    "identically: the task is learnable from these data at this budget"),
        ),
        grid={"distances": {"quick": (10, 50), "full": (10, 30, 100, 200, 400)},
              "steps": {"quick": 400, "full": 800}, "batch_size": 64, "lr": 1e-2,
              "at_chance": 0.25},
    ),
    Claim(
        "r1.sequential", 1,
        "Processes data sequentially, one step at a time.",
        "Run the LSTM cell one step at a time and compare with the whole-sequence call; change "
        "the inputs after step t and check the output at t does not move. Measured: the largest "
        "absolute difference over both checks (float32).",
        Check(at_most=1e-5), measures="max |difference|",
    ),
    Claim(
        "r1.formula", 1,
        "🧩 Formula: [ h_t = f(Wx_t + Uh_{t-1}) ]",
        "This is the vanilla RNN's recurrence, not the LSTM's (which adds gates and a cell "
        "state). Read as a memory claim: does h_t = f(Wx_t + Uh_{t-1}), trained like the LSTM on "
        "delayed recall (the grid of r1.gates_long_term: same data, steps and seeds, "
        "parameter-matched), hold the token across the longest distance? Measured: the trained "
        "vanilla RNN's test accuracy there, seed by seed; at chance is every seed <= 0.25.",
        AtLeast(0.9, 0.25), kind="trained",
        measures="vanilla RNN accuracy at the longest distance",
        controls=(
            Control("rnn_cut", NEGATIVE, "the same trained RNN with its recurrence cut at "
                    "every step (each position read alone): a memoryless model"),
            Control("lstm", POSITIVE, "the LSTM trained identically at the same distance: a "
                    "recurrence that holds the token at this budget (if it is at chance too, "
                    "the budget is the problem: inconclusive)"),
        ),
        grid={"distances": {"quick": (10, 50), "full": (10, 30, 100, 200, 400)},
              "steps": {"quick": 400, "full": 800}, "batch_size": 64, "lr": 1e-2},
    ),
    Claim(
        "r1.remember_10_steps", 1,
        "“Hey, I still remember what you said 10 steps ago!” — LSTM, proudly holding onto 2008 "
        "data.",
        "Delayed recall at distance 10 (fight 1's shortest distance, same training). Measured: "
        "the LSTM's test accuracy, seed by seed. Ten steps need no gates: the vanilla RNN's "
        "score is printed beside it.",
        AtLeast(0.9, 0.5), kind="trained", measures="LSTM accuracy at distance 10",
        controls=(
            Control("lstm_cut", NEGATIVE, "the same trained LSTM with its recurrence cut at "
                    "every step (each position read alone): it cannot remember anything"),
            Control("transformer", POSITIVE, "the Transformer trained identically at distance "
                    "10: the task is learnable at this budget"),
        ),
        grid={"distance": 10, "steps": {"quick": 400, "full": 800}, "batch_size": 64},
    ),
    Claim(
        "r1.looks_at_everything", 1,
        "Doesn’t need to remember — it just looks at everything at once.",
        "Delayed recall in distribution (trained and tested at the same distance, the grid of "
        "r1.gates_long_term), with no recurrent state. Measured: the causal Transformer's test "
        "accuracy at the longest distance, seed by seed.",
        AtLeast(0.9, 0.5), kind="trained",
        measures="Transformer accuracy at the longest distance",
        controls=(
            Control("attention_cut", NEGATIVE, "the same trained Transformer with attention "
                    "restricted to its own position (each position read alone): it cannot look "
                    "at anything else"),
            Control("transformer_short", POSITIVE, "the same Transformer at the shortest "
                    "distance: the task made easy, at the same budget"),
        ),
        grid={"distances": {"quick": (10, 50), "full": (10, 30, 100, 200, 400)},
              "steps": {"quick": 400, "full": 800}, "batch_size": 64, "lr": 1e-2},
    ),
    Claim(
        "r1.decides_what_matters", 1,
        "Uses self-attention to decide what’s important.",
        "Associative recall (Zoology's MQAR): key-value pairs, then queries. Answering needs the "
        "one earlier token that matches the query. Measured: the Transformer's test accuracy "
        "at the grid's pair count, seed by seed (chance among the values: 1/16).",
        AtLeast(0.9, 0.5), kind="trained", measures="Transformer recall accuracy",
        controls=(
            Control("attention_cut", NEGATIVE, "the same trained Transformer with attention "
                    "restricted to its own position: the query alone, nothing to select from"),
            Control("transformer_delayed", POSITIVE, "fight 1's Transformer at its shortest "
                    "distance: attention picking the one token that matters among distractors, "
                    "at its budget"),
        ),
        grid={"n_pairs": {"quick": 4, "full": 8}, "steps": {"quick": 350, "full": 1000}},
    ),
    Claim(
        "r1.attention_formula", 1,
        r"🧠 Key Idea: [ \text{Attention}(Q, K, V) = \text{softmax}\left(\frac{QK^T}{\sqrt{d_k}}"
        r"\right)V ]",
        "The formula computed by hand, against torch's scaled_dot_product_attention on random "
        "inputs. Measured: the largest absolute difference (float32).",
        Check(at_most=1e-5), measures="max |difference| from torch",
    ),
    Claim(
        "r1.no_memory", 1,
        "“I don’t need memory. I’ve got focus.” — Transformer, sipping Red Bull.",
        "Running parity is a task that needs a state (the parity so far). Measured in "
        "distribution: the Transformer's accuracy at the training length, where it can attend to "
        "the whole prefix at once, seed by seed. Beyond the training length is judged by "
        "r1.long_sequences.",
        AtLeast(0.9, 0.6), kind="trained",
        measures="Transformer parity accuracy at the training length",
        controls=(
            Control("attention_cut", NEGATIVE, "the same trained Transformer with attention "
                    "restricted to its own position: one bit, no prefix (about 0.5)"),
            Control("lstm", POSITIVE, "the LSTM trained identically (parameter-matched): the "
                    "task is learnable at this budget"),
        ),
        grid={"train_len": 20, "steps": {"quick": 300, "full": 700}},
    ),
    Claim(
        "r1.long_sequences", 1,
        "| 💬 Text length | 🚶 Short sequences | 🚀 Long documents |",
        "The text-length row read on round 1's length test: trained on running parity at the "
        "training length, tested on sequences 10x longer (only the new positions scored), "
        "parameter-matched, trained identically. Is the LSTM the one held to short sequences "
        "and the Transformer the one that reaches long ones? Measured: the Transformer's "
        "accuracy beyond the training length minus the LSTM's, paired by seed; confirmed if "
        "the Transformer leads by >= 0.1 on every seed, refuted if the LSTM leads by >= 0.1 on "
        "every seed (a tie within 0.1 is no lead). Long inputs the models are trained on are "
        "the row's other reading: r1.looks_at_everything and r1.gates_long_term judge it.",
        AtLeast(0.1, -0.1), kind="trained",
        measures="Transformer - LSTM parity accuracy at 10x the training length",
        controls=(
            Control("attention_cut", NEGATIVE, "the Transformer with attention restricted to "
                    "its own position, minus the same LSTM: a model that sees no past"),
            Control("lstm_short_only", POSITIVE, "the Transformer minus the LSTM held to short "
                    "sequences (its state reset every training length): the row's claim "
                    "planted, so the measure can come out for the Transformer"),
        ),
        grid={"train_len": 20, "factor": 10, "steps": {"quick": 300, "full": 700}},
    ),
    # -- Round 2: computation speed -------------------------------------------------------------
    Claim(
        "r2.cant_parallelize", 2,
        "Sequential by nature → can’t parallelize easily.",
        "What extra CPU threads buy each fighter: the speed-up from 1 thread to all of torch's "
        "threads, forward+backward, parameter-matched, batch 8, at the grid's length, 5 repeats "
        "(1 thread and all threads in turns). Measured per repeat: the LSTM's speed-up divided "
        "by the Transformer layer's. Confirmed if the LSTM gains at most 0.8 of what the "
        "Transformer gains in every repeat (a clear deficit, beyond the 10-20% that two "
        "threads' timings move on a shared machine); refuted if it gains at least as much in "
        "every repeat. Needs 2 or more threads and an idle machine.",
        AtMost(0.8, 1.0), measures="LSTM speed-up / Transformer speed-up (per repeat)",
        unmeasured_when="torch has one thread, or the machine is busy before the timing starts "
        "(1-minute load average above its cores); once timed, the rule decides whatever the "
        "timings say",
        kind="timed",
        controls=(
            Control("dependency_cut", NEGATIVE,
                    "the same LSTM with the step-to-step dependency cut: it reads the batch "
                    "as B*T sequences of one step (the same kernel, weights and cell "
                    "evaluations, each from the initial state), its speed-up over the "
                    "Transformer's: the work without the chain, which threads can split; it "
                    "must not read as 'can't parallelise'"),
            Control("planted_chain", POSITIVE,
                    "a planted sequential chain h_t = tanh(x_t W + h_{t-1} U), stepped in a "
                    "Python loop at the LSTM's batch and hidden size, its speed-up over the "
                    "Transformer's: nothing in it to split across threads"),
        ),
        grid={"width": {"quick": 64, "full": 128}, "batch": 8,
              "length": {"quick": 500, "full": 1000}, "mode": "training", "repeats": 5},
    ),
    Claim(
        "r2.waits_each_step", 2,
        "Needs to wait for each timestep before moving on.",
        "What waiting costs in time: torch's fused LSTM over one long sequence (batch 1, "
        "inference) at a small width, where each step's arithmetic is small and the time shows "
        "the chain rather than the multiply-adds, against the same LSTM with the step-to-step "
        "dependency cut: the sequence read as T sequences of one step (the same kernel and cell "
        "evaluations, each from the initial state), which run in one step. Measured per repeat "
        "(5, in turns): chain time / cut time. Confirmed if the chain costs at least 1.5x the "
        "same cells evaluated at once in every repeat (a cost well past the 1.1x tie margin "
        "and the 20-30% a shared machine moves one timing); refuted if at most 1.1x in every "
        "repeat (a tie: nothing waited). That the steps must wait is the structure "
        "(r2.all_in_parallel's chain control counts it); this is what it costs on this device.",
        AtLeast(1.5, 1.1), measures="LSTM time / time with the dependency cut (per repeat)",
        kind="timed",
        controls=(
            Control("dependency_cut", NEGATIVE,
                    "the dependency-cut LSTM timed twice in each repeat, the first time over "
                    "the second: the same cells without a chain on both sides, which must not "
                    "read as waiting"),
            Control("planted_chain", POSITIVE,
                    "a planted chain h_t = tanh(x_t W + h_{t-1} U) stepped in a Python loop, "
                    "against itself with the dependency cut the same way, same width and "
                    "length: a chain that waits by construction"),
        ),
        grid={"width": 8, "batch": 1, "length": 4096, "mode": "inference", "repeats": 5},
    ),
    Claim(
        "r2.all_in_parallel", 2,
        "Processes all words in parallel.",
        "A statement about structure, counted: the longest chain of operations that must run "
        "one after another in one forward pass (the autograd graph's longest path, in nodes), "
        "at the grid's lengths. Measured: the log-log slope of that critical path against T "
        "for the parameter-matched Transformer layer (slope 0: the chain does not grow with "
        "the number of words, which all go through the same few wide operations). Confirmed "
        "if the slope is at most 0.1, refuted if at least 0.5 (the chain grows like the square "
        "root of T or faster). It says what could run in parallel, not what a 2-core CPU gains "
        "from it (r2.cant_parallelize, r2.winner).",
        AtMost(0.1, 0.5), measures="slope of critical-path length vs T (log-log)",
        kind="computed",
        controls=(
            Control("lstm_chain", NEGATIVE,
                    "seqlib's step-by-step LSTM (the equations, one cell per step; torch's "
                    "fused kernel hides its steps in one node) at the same width: a chain that "
                    "grows with T"),
            Control("planted_parallel", POSITIVE,
                    "a planted position-wise block (Linear, ReLU, Linear on every position at "
                    "once), the same width: parallel over positions by construction"),
        ),
        grid={"width": 64, "batch": 1, "lengths": (16, 64, 256)},
    ),
    Claim(
        "r2.gpu_friendly_faster", 2,
        "GPU-friendly, faster, and scalable.",
        "On a GPU, with synchronised timing: the LSTM's time over the Transformer's, "
        "parameter-matched, forward+backward, batch 8, at the longest length of the fair sweep "
        "(r2.winner's grid), 5 repeats in turns. Confirmed if the Transformer is at least 1.5x "
        "faster in every repeat, refuted if the LSTM is faster by the 1.1x margin in every "
        "repeat.",
        AtLeast(1.5, 1 / 1.1), hardware="gpu",
        measures="LSTM time / Transformer time on the GPU (per repeat)",
        kind="timed",
        controls=(
            Control("lstm_vs_itself", NEGATIVE,
                    "the LSTM timed twice in each repeat, the first time over the second: "
                    "no difference to find, it must not be confirmed"),
            Control("planted_3x", POSITIVE,
                    "the LSTM run three times in a row against the LSTM once: a planted 3x, "
                    "which the same timing must not refute"),
        ),
        grid={"mode": "training", "batch": 8, "length": "the longest of r2.winner's lengths",
              "repeats": 5},
    ),
    Claim(
        "r2.winner", 2,
        "🏁 Winner: Transformer",
        "The fair sweep on this machine's device: parameter-matched fighters, every setting of "
        "the grid (lengths at batch 8, batches at T=100, inference and training), 5 repeats, "
        "the two fighters timed back to back in each. A setting is won only with a lead of "
        "1.1x or more (less is a tie). Measured per repeat: the record (settings the "
        "Transformer won minus settings the LSTM won) over the number of settings. A winner "
        "wins at least two settings for each one it loses: confirmed if the record is >= +1/3 "
        "in every repeat, refuted if <= -1/3 in every repeat (the LSTM's 2-to-1), nuanced "
        "between. The device is named in the verdict: a CPU result settles the CPU.",
        AtLeast(1 / 3, -1 / 3), measures="(Transformer wins - LSTM wins) / settings, per repeat",
        kind="timed",
        controls=(
            Control("lstm_vs_itself", NEGATIVE,
                    "the LSTM against itself over the same settings (in each repeat and "
                    "setting timed twice, the second time in the Transformer's place): an "
                    "even fight, which must not be confirmed"),
            Control("planted_3x", POSITIVE,
                    "a win planted on purpose: the LSTM slowed 3x (its call run three times in "
                    "a row) against the plain LSTM in the Transformer's place, on one sequence "
                    "(batch 1), inference, at the grid's planted lengths; the record must not "
                    "refute it"),
        ),
        grid={"width": {"quick": 64, "full": 128},
              "lengths": {"quick": (10, 30, 100, 250, 500, 1000),
                          "full": (10, 30, 100, 250, 500, 1000, 2000)},
              "length_batch": 8,
              "batches": {"quick": (1, 4, 16, 64), "full": (1, 4, 16, 64, 256)},
              "batch_length": 100, "modes": ("inference", "training"),
              "planted_lengths": (64, 128, 256), "repeats": 5},
    ),
    Claim(
        "r2.demo_timestep3", 2,
        "But Transformer finishes while LSTM is still on timestep 3.",
        "The fight card's demo exactly as written (on the CPU, as its code runs: train mode, "
        "forward, a (32, 10, 128) batch), 5 repeats in turns. Still on timestep 3 of 10 means "
        "the Transformer takes at most 3/10 of the LSTM's time. Measured per repeat: LSTM time "
        "/ Transformer time. Confirmed if >= 10/3 in every repeat; refuted if the LSTM "
        "finishes first by the 1.1x margin (<= 1/1.1) in every repeat.",
        AtLeast(10 / 3, 1 / 1.1), measures="LSTM time / Transformer time (per repeat)",
        kind="timed",
        controls=(
            Control("lstm_vs_itself", NEGATIVE,
                    "the demo's LSTM timed twice in each repeat, the first time over the "
                    "second: it must not 'finish by step 3' against itself"),
            Control("planted_10x", POSITIVE,
                    "the demo's LSTM run ten times in a row against the LSTM once: a planted "
                    "10x, which the same timing must read as 'finished by step 3'"),
        ),
        grid={"batch": 32, "length": 10, "width": 128, "mode": "train", "repeats": 5},
    ),
    # -- Round 3: interpretability --------------------------------------------------------------
    Claim(
        "r3.black_box", 3,
        "Hard to visualize — hidden states are like black boxes with emotions.",
        "A linear probe reads, from the LSTM's hidden state at the pronoun, which of the "
        "sentence's two people the pronoun refers to (the first or the second: a relation "
        "between the pronoun and both nouns, not a property of one word), on held-out sentences "
        "with two people (labels about half and half). Measured, run by run (each width and "
        "seed): the normalised probe gain (trained - untrained) / (1 - untrained), the trained "
        "LSTM's probe accuracy against the same probe on an untrained LSTM of the same shape "
        "(Zhang & Bowman 2018), as a share of the headroom the untrained one leaves. A black box "
        "gives the probe nothing that random features do not (gain about 0). Refuting needs "
        "every run at 0.4 or more: two untrained LSTMs differ by up to about 0.2 on this probe "
        "(the untrained_pair control) and the control task reaches about 0.3. Scope: one "
        "feature, one linear probe; it says what can be read, not what the LSTM uses.",
        AtMost(0.1, 0.4), kind="trained",
        measures="normalised probe gain, (trained - untrained) / (1 - untrained)",
        controls=(
            Control("planted", NEGATIVE, "the untrained LSTM's states with the label planted in "
                    "one unit (plus Gaussian noise, sd 0.3): a readable feature, through the same "
                    "gain; it must not be confirmed"),
            Control("untrained_pair", POSITIVE, "a second untrained LSTM (another seed) in place "
                    "of the trained one: a black box by construction, its gain is the noise of "
                    "the measure; it must not be refuted"),
            Control("control_task", POSITIVE, "the same gain on Hewitt & Liang (2019)'s control "
                    "task: each (pronoun, subject noun) pair gets a random label drawn from the "
                    "real labels, so there is no relation to find; a refutation stands only if "
                    "this is not refuted too"),
        ),
        grid={"probe_sentences": {"quick": 2000, "full": 5000}, "probe_steps": 150},
    ),
    Claim(
        "r3.attention_shows_focus", 3,
        "Attention weights show what the model focused on.",
        "Do the answers depend on where attention points? The swap test at inference (Jain & "
        "Wallace 2019): every attention row replaced by equal weights over the words it may see "
        "and, separately, by a shuffled copy of itself; the trained model otherwise untouched. "
        "Measured, run by run (each width and seed): the smaller of the two fractions of "
        "held-out answers that change. Weights that show what the model focused on must matter "
        "to its answer: this tests that necessary condition, not that the map is the whole "
        "explanation. Erasing the attended word is reported beside it, not judged: any accurate "
        "model, the LSTM too, must change its answer when the antecedent is erased.",
        AtLeast(0.3, 0.1), kind="trained",
        measures="answers changed by swapped weights (smaller of uniform, shuffled)",
        controls=(
            Control("counting", NEGATIVE, "the same swaps on the same Transformer family "
                    "trained on a counting task over the same words, where an average over "
                    "the tokens suffices and attention need not point anywhere; it must not be "
                    "confirmed"),
            Control("masked_antecedent", POSITIVE, "a swap known to take away what the answer "
                    "needs: every weight on the antecedent set to 0 (rows renormalised), in every "
                    "layer and head; it must not be refuted"),
        ),
    ),
    Claim(
        "r3.see_influence", 3,
        "You can literally see which words influenced the prediction.",
        "Does the attended word match the word gradient saliency says influenced the answer? "
        "Measured on the held-out sentences whose antecedent is not the subject (every template "
        "puts the subject at position 1, where a positional guess would agree by the base "
        "rate): the fraction in which the chosen head's strongest word from the pronoun is also "
        "the earlier word with the largest |gradient x input|, every run (each width and seed).",
        AtLeast(0.7, 0.3), kind="trained", measures="top-word agreement with saliency",
        controls=(
            Control("positional", NEGATIVE, "the word at the subject's position in place of the "
                    "head's top word"),
            Control("random_word", NEGATIVE, "a random earlier word (seeded) in place of the "
                    "head's top word"),
            Control("occlusion", POSITIVE, "the top word of another influence method in place "
                    "of the head's: leave-one-out occlusion (the word replaced by padding, the "
                    "largest drop of the answer's logit); how far two influence methods agree, so "
                    "a refutation stands only if they are not refuted too"),
        ),
    ),
    Claim(
        "r3.he_ceo", 3,
        "“The CEO of Tesla said he loves rockets.” The attention map highlights he ↔ CEO.",
        "Every template puts the subject at position 1, and the antecedent is the subject in "
        "two thirds of held-out sentences: a head that always looks at position 1 would score "
        "about 0.67 on all of them. So the head is chosen, and scored, on the sentences whose "
        "antecedent is not the subject, where that head scores 0. Rule: on the training "
        "sentences of that kind, the head whose strongest attention from the pronoun lands on "
        "the antecedent most often; measured on the held-out sentences of that kind: the "
        "fraction in which that head's strongest attention from the pronoun lands on the "
        "antecedent, every run (each width and seed).",
        AtLeast(0.8, 0.3), kind="trained",
        measures="pronoun -> antecedent hit rate, antecedent not the subject",
        controls=(
            Control("positional", NEGATIVE, "a head that always looks at position 1 (the "
                    "subject), through the same choice and scoring: 0 here by construction"),
            Control("untrained", NEGATIVE, "the head the same rule chooses in an untrained "
                    "Transformer of the same shape (seeded like the run)"),
            Control("planted", POSITIVE, "a head pointing from the pronoun at the antecedent, "
                    "planted among the trained model's heads: the rule must find and score it"),
        ),
    ),
    Claim(
        "r3.lstm_dog", 3,
        "LSTM would’ve probably guessed “dog.”",
        "The LSTM trained on the same sentences, parameter-matched. Measured: its held-out "
        "accuracy at resolving the pronoun, every run (each width and seed). The claim says it "
        "fails. Naming the subject every time scores about 0.67 on held-out sentences, between "
        "the thresholds: a heuristic neither confirms nor refutes it.",
        AtMost(0.6, 0.9), kind="trained", measures="LSTM pronoun accuracy",
        controls=(
            Control("transformer", NEGATIVE, "the Transformer trained on the same sentences with "
                    "the same data, budget and seed: a model that resolves them"),
            Control("untrained_lstm", POSITIVE, "an untrained LSTM of the same shape: a model "
                    "that cannot resolve them (chance)"),
        ),
    ),
    Claim(
        "r3.winner", 3,
        "🏁 Winner: Transformer",
        "The interpretability round's winner follows its measured claims.",
        FromClaims(
            ("r3.attention_shows_focus", "r3.see_influence", "r3.he_ceo", "r3.black_box")
        ),
    ),
    # -- Round 4: business context (the table's rows) ------------------------------------------
    Claim(
        "biz.small_data", 4,
        "| 🧾 Small datasets | ✅ Great | ⚠️ Overkill |",
        "Learning curves on a task the two can differ on (neither at its ceiling with little "
        "data), parameter-matched, same steps and seeds, early-stopped on a validation set. "
        "Measured: LSTM minus Transformer test accuracy at the smallest training set, seed by "
        "seed. A lead of 0.02 in accuracy (about 2% of the test tokens) on every seed is the "
        "least the course calls 'better'; between -0.02 and +0.02 is no clear difference. Scope: "
        "the grid's model width and step budget, on a synthetic task, not language.",
        AtLeast(0.02, -0.02), kind="trained", measures="LSTM - Transformer accuracy",
        controls=(
            Control("lstm_vs_lstm", NEGATIVE,
                    "a second LSTM, initialised from another seed and trained on the same data "
                    "with the same budget, minus the LSTM: two copies of one fighter differ by "
                    "init noise only, so the rule must not confirm a lead"),
            Control("lstm_vs_untrained", POSITIVE,
                    "the LSTM minus the same seed's Transformer left untrained (chance, about "
                    "1/16): a gap planted on purpose, on the same test set, which the rule must "
                    "not refute"),
        ),
        grid={"sizes": {"quick": (25, 100, 400), "full": (25, 100, 400, 1600, 6400)},
              "seeds": (0, 1, 2), "d_model": {"quick": 32, "full": 64},
              "steps": {"quick": 300, "full": 1000}},
    ),
    Claim(
        "biz.large_data", 4,
        "| 🌐 Large datasets | 😩 Struggles | ✅ Excels |",
        "The same learning curves. Measured: Transformer minus LSTM test accuracy at the "
        "largest training set, seed by seed, judged only when that set holds at least "
        f"LARGE_DATA_MIN ({LARGE_DATA_MIN:,}) sequences: a few hundred is not 'large'. The same "
        "0.02 lead as the small-data row. Scope: the grid's model width and step budget, on a "
        "synthetic task: 'large' here is thousands of sequences, not web-scale data.",
        AtLeast(0.02, -0.02), kind="trained", measures="Transformer - LSTM accuracy",
        unmeasured_when="the largest training set is under LARGE_DATA_MIN sequences (quick)",
        controls=(
            Control("transformer_vs_transformer", NEGATIVE,
                    "a second Transformer, initialised from another seed and trained on the "
                    "same largest set with the same budget, minus the Transformer: init noise "
                    "only, which the rule must not confirm"),
            Control("transformer_vs_untrained", POSITIVE,
                    "the Transformer minus the same seed's LSTM left untrained (chance): a gap "
                    "planted on purpose, which the rule must not refute"),
        ),
        grid={"sizes": {"quick": (25, 100, 400), "full": (25, 100, 400, 1600, 6400)},
              "seeds": (0, 1, 2), "d_model": {"quick": 32, "full": 64},
              "steps": {"quick": 300, "full": 1000}},
    ),
    Claim(
        "biz.cost", 4,
        "| 💸 Cost | 💰 Cheap | 💸💸 Requires GPUs |",
        "Cheap: the Transformer's cost per token over the LSTM's, at matched parameters, on this "
        "machine's CPU with the grid's batch, context and threads: a training step and an "
        "inference forward pass of each, timed in alternation, call by call, on the thread's "
        "CPU clock (the core-seconds a call costs; the grid's rounds per repeat, "
        "seqlib.cost.alternating), every LSTM call right after a Transformer call and the "
        "other way round; each repeat gives one "
        "ratio per phase and the value of a repeat is the smaller of the two (the LSTM must be "
        "cheaper in training and in inference). A ratio of at least 1.25 in every repeat is a "
        "clear cost gap; at most 1.05 in every repeat (within timing noise, or the Transformer "
        "cheaper) refutes 'cheap against dear'. Scope: tiny models (tens of thousands of "
        "parameters) on one CPU thread, short contexts; a GPU, other sizes or longer contexts "
        "may change the ratio.",
        AtLeast(1.25, 1.05), measures="Transformer / LSTM cost per token (smaller phase)",
        kind="timed",
        controls=(
            Control("lstm_vs_itself", NEGATIVE,
                    "the same LSTM's calls timed a second time in each round, in the same "
                    "position (right after a Transformer call), over the first: ratio 1 by "
                    "construction, give or take the timer, which the rule must not confirm"),
            Control("planted_double", POSITIVE,
                    "the LSTM running each call twice over the LSTM once: a 2x cost planted on "
                    "purpose, through the same timer and turns, which the rule must not refute"),
        ),
        grid={"batch": 32, "context": 32, "threads": 1, "repeats": 5, "rounds": 10},
    ),
    Claim(
        "biz.requires_gpus", 4,
        "| 💸 Cost | 💰 Cheap | 💸💸 Requires GPUs |",
        "Cited, not measured here: the claim is about Transformers of the size businesses "
        "train, which were trained on accelerators: Vaswani et al. (2017) trained their base "
        "Transformer (65M parameters) for 12 hours and the big one (213M) for 3.5 days on 8 "
        "NVIDIA P100 GPUs; Brown et al. (2020) trained GPT-3 (up to 175B) on V100 GPUs on a "
        "cluster provided by Microsoft. That they were trained on GPUs does not show a GPU is "
        "required, nor that an LSTM of the same size needs less. The models of tens of thousands "
        "of parameters this notebook trains on a CPU in seconds say nothing about those sizes, "
        "so they neither confirm nor refute it.",
        Cited(),
    ),
    Claim(
        "biz.framework", 4,
        "| 🛠️ Framework | nn.LSTM (PyTorch) | nn.Transformer (PyTorch) |",
        "Of the two classes the row names, the fraction that exist in the installed torch and "
        "that this round's fighters are built from, directly or through the class's building "
        "block (nn.Transformer is an encoder-decoder; its encoder is a stack of the layer class "
        "the Transformer fighter uses, read from torch itself). A fact about an API, checked by "
        "code: not a measurement.",
        Check(at_least=1.0), measures="fraction of named classes used",
    ),
    Claim(
        "biz.small_internal", 4,
        "LSTM = Great for small internal data (chat logs, IoT).",
        "Follows the small-data row.",
        FromClaims(("biz.small_data",)),
    ),
    Claim(
        "biz.needs_budget", 4,
        "Transformer = The “CEO” of modern AI — needs budget, GPUs, and coffee.",
        "Follows the cost rows: the measured 'cheap' ratio (biz.cost, CPU, tiny models) and "
        "'requires GPUs' (biz.requires_gpus), which is cited, not measured here, and so left "
        "out: the verdict rests on the CPU cost ratio at the notebook's model size alone.",
        FromClaims(("biz.cost", "biz.requires_gpus")),
    ),
    # -- Round 5: future-proofing ---------------------------------------------------------------
    Claim(
        "r5.low_latency", 5,
        "Low-latency devices",
        "Batch-1 streaming, one token at a time, at equal parameters (what a device runs), CPU, "
        "1 thread, untrained models (latency does not depend on the weights' values): the time "
        "of one token's step after a stream of stream_tokens tokens (the Transformer with a KV "
        "cache of them), the Transformer's over the LSTM's, timed interleaved in repeats (a "
        "ratio per repeat, each the median of `rounds` calls in alternation, call by call, on "
        "the thread's CPU clock: seqlib.cost.alternating; on an idle device that is the "
        "latency, and another program on this machine does not add to it). A win needs a 25% "
        "margin (ratio >= 1.25 on every repeat): a smaller lead is within what another CPU, "
        "thread count or batch changes. Refuted if the Transformer is at least as fast on every "
        "repeat. The stream length is registered here; the ratio grows with it (attention reads "
        "every cached key).",
        AtLeast(1.25, 1.0), measures="Transformer / LSTM time per token",
        kind="timed",
        controls=(
            Control("lstm_vs_itself", NEGATIVE, "the same LSTM timed against itself in the same "
                    "repeats: no difference, a ratio about 1, must not be confirmed"),
            Control("planted_2x", POSITIVE, "a planted slow-down: the LSTM's step run twice per "
                    "token, timed in the same repeats against the LSTM: known to take about 2x, "
                    "must not be refuted"),
        ),
        # each repeat: `rounds` calls of every fighter in alternation, its median
        grid={"stream_tokens": 1024, "repeats": 5, "rounds": 50, "threads": 1},
    ),
    Claim(
        "r5.small_time_series", 5,
        "Small structured time series",
        "A small real series: yearly sunspots 1700-2008 (statsmodels' data set, shipped with "
        "seqlib), split in time, standardised by the training years. The LSTM is trained per "
        "seed with AdamW until its validation MSE has not improved by min_improvement (1%) for "
        "`patience` evaluations in a row (or max_steps), keeping the best weights. Measured, "
        "seed by seed: the LSTM's test MSE over the best baseline's (seasonal naive or linear "
        "least squares). Useful means a clear lead: at least 10% lower MSE on every seed (less "
        "is within what 43 test years tell apart); refuted if no seed beats the baseline. The "
        "Transformer is trained beside it the same way, reported, not judged.",
        AtMost(0.9, 1.0), kind="trained", measures="LSTM test MSE / best baseline's (sunspots)",
        controls=(
            Control("synthetic", NEGATIVE, "a synthetic seasonal series (sinusoids, trend, "
                    "Gaussian noise) whose signal a linear map of the window already fits in form, "
                    "the linear baseline near the noise floor: little room to beat it, the same "
                    "training and rule; must not be confirmed"),
            Control("planted", POSITIVE, "a planted nonlinear series (a noisy chaotic logistic "
                    "map: the next value is a parabola of the last) that a linear map cannot "
                    "fit and an LSTM can, the same training and rule; must not be refuted"),
        ),
        grid={"seeds": 3, "window": 24, "max_steps": {"quick": 2000, "full": 6000},
              "eval_every": 25, "patience": {"quick": 8, "full": 20},
              "min_improvement": 0.01},
    ),
    Claim(
        "r5.edge", 5,
        "Edge deployment (low compute)",
        "Compute per token, batch-1 streaming at equal parameters: the floating-point "
        "operations of one token's step after stream_tokens tokens, counted by torch's "
        "FlopCounterMode (matrix products; the LSTM counted through seqlib's LSTM, the same "
        "equations as matrix products), the Transformer's (with its KV cache) over the LSTM's. "
        "Confirmed if the Transformer needs at least twice the LSTM's compute, refuted if no "
        "more. It grows with the stream (attention reads every cached key): the notebook "
        "prints the stream length where the ratio reaches 2 and 1.",
        AtLeast(2.0, 1.0), measures="Transformer / LSTM FLOPs per token",
        kind="computed",
        controls=(
            Control("lstm_vs_itself", NEGATIVE, "the LSTM's FLOPs against its own: a ratio of "
                    "1, must not be confirmed"),
            Control("window", NEGATIVE, "the Transformer attending over a bounded window of the "
                    "newest window tokens only (its cost stops growing) against the LSTM; must "
                    "not be confirmed"),
            Control("no_cache", POSITIVE, "the Transformer without a KV cache (it runs the whole "
                    "prefix again for every token) against the LSTM: known to cost more, must not "
                    "be refuted"),
        ),
        grid={"stream_tokens": 1024, "window": 64},
    ),
    Claim(
        "r5.edge_memory", 5,
        "Edge deployment (low compute)",
        "Memory a device must hold to keep reading after stream_tokens tokens, at equal "
        "parameters: the Transformer's weights plus its KV cache over the LSTM's weights plus "
        "its state (float32 bytes). Confirmed if the Transformer holds at least twice as much, "
        "refuted if no more. It grows with the stream: the notebook prints the stream length "
        "where the ratio reaches 2 and 1.",
        AtLeast(2.0, 1.0), measures="(weights + KV cache) / (weights + state)",
        kind="computed",
        controls=(
            Control("lstm_vs_itself", NEGATIVE, "the LSTM's weights plus state against its own: "
                    "a ratio of 1, must not be confirmed"),
            Control("window", NEGATIVE, "the Transformer keeping only the newest window keys "
                    "and values (a bounded cache) against the LSTM; must not be confirmed"),
            Control("cache_vs_state", POSITIVE, "planted: the KV cache alone against the "
                    "equal-width LSTM's state alone, stream_tokens times larger by construction "
                    "(2 L d t against 2 L d floats); must not be refuted"),
        ),
        grid={"stream_tokens": 1024, "window": 64},
    ),
    Claim(
        "r5.dominates_nlp", 5, "NLP (ChatGPT, BERT, T5, etc.)",
        "Cited: BERT (2019), T5 (2020), GPT-3 (2020). Not trained here.", Cited(),
    ),
    Claim(
        "r5.dominates_vision", 5, "Vision (ViT, CLIP)",
        "Cited: ViT (2020), CLIP (2021). Not trained here.", Cited(),
    ),
    Claim(
        "r5.dominates_audio", 5, "Audio (Whisper)",
        "Cited: Whisper (2022). Not trained here.", Cited(),
    ),
    Claim(
        "r5.dominates_science", 5,
        "Finance, forecasting, even protein folding (yep, science got in on it)",
        "Cited: AlphaFold 2 (2021) uses attention; for forecasting, Zeng et al. 2023 found a "
        "linear model beats the Transformers they tested. Not trained here.", Cited(),
    ),
    Claim(
        "r5.knockout", 5,
        "🏁 Winner: Transformer — by knockout.",
        "A knockout means the Transformer wins everywhere: it follows the round winners and the "
        "large-data row, against every claim where the LSTM was found useful.",
        FromClaims(
            ("r2.winner", "r3.winner", "biz.large_data", "r1.long_sequences"),
            ("r1.gates_long_term", "biz.small_data", "biz.cost", "r5.low_latency",
             "r5.small_time_series", "r5.edge", "r5.edge_memory"),
        ),
    ),
    # -- Post-fight commentary ------------------------------------------------------------------
    Claim(
        "post.start_small", 5,
        "Start small with LSTM if data is limited.",
        "Follows the small-data row of round 4.",
        FromClaims(("biz.small_data",)),
    ),
    Claim(
        "post.move_to_transformer", 5,
        "Move to Transformer when you want scale, power, and bragging rights.",
        "Follows the large-data row of round 4.",
        FromClaims(("biz.large_data",)),
    ),
    # -- The business table's rows judged from other rounds -------------------------------------
    Claim(
        "biz.text_length", 5,
        "| 💬 Text length | 🚶 Short sequences | 🚀 Long documents |",
        "LSTM only for short sequences, Transformer for long ones: follows round 1's "
        "long-distance recall for the Transformer (r1.looks_at_everything), its length "
        "generalisation on parity at 10x the training length (r1.long_sequences), and, reversed, "
        "the LSTM's long-distance recall (r1.gates_long_term).",
        FromClaims(("r1.looks_at_everything", "r1.long_sequences"), ("r1.gates_long_term",)),
    ),
    Claim(
        "biz.interpretability", 5,
        "| 🧠 Interpretability | 🕳️ Limited | 🔦 Transparent |",
        "Follows round 3's claims about the LSTM's hidden states and attention weights.",
        FromClaims(("r3.black_box", "r3.attention_shows_focus", "r3.see_influence", "r3.he_ceo")),
    ),
    # -- The summary table ----------------------------------------------------------------------
    Claim(
        "sum.memory", 5, "| Memory | Sequential | Self-Attention |",
        "Follows round 1.",
        FromClaims(("r1.sequential", "r1.looks_at_everything", "r1.decides_what_matters")),
    ),
    Claim(
        "sum.speed", 5, "| Speed | Slow | Fast |",
        "Follows round 2's speed claims (a GPU claim counts only when measured on a GPU).",
        FromClaims(("r2.winner", "r2.demo_timestep3", "r2.gpu_friendly_faster")),
    ),
    Claim(
        "sum.interpretability", 5, "| Interpretability | Hard | Visualizable |",
        "Follows round 3.",
        FromClaims(
            ("r3.black_box", "r3.attention_shows_focus", "r3.see_influence", "r3.he_ceo")
        ),
    ),
    Claim(
        "sum.parallelization", 5, "| Parallelization | No | Yes |",
        "Follows round 2's parallelism claims.",
        FromClaims(("r2.cant_parallelize", "r2.waits_each_step", "r2.all_in_parallel")),
    ),
    Claim(
        "sum.best_for", 5,
        "| Best For | Small, temporal data | Large-scale language or multimodal tasks |",
        "Follows the small- and large-data rows and the small time series (the Transformer's "
        "language and multimodal record is cited, not measured).",
        FromClaims(
            ("biz.small_data", "biz.large_data", "r5.small_time_series", "r5.dominates_nlp",
             "r5.dominates_vision")
        ),
    ),
]  # fmt: skip

CLAIMS: dict[str, Claim] = {claim.id: claim for claim in _CLAIMS}


def claims_of_round(round_number: int) -> list[Claim]:
    """The claims judged in round ``round_number`` (1-5), in registry order."""
    if isinstance(round_number, bool) or round_number not in range(1, 6):
        raise ValueError(f"round_number must be 1 to 5, got {round_number!r}")
    return [claim for claim in _CLAIMS if claim.round == round_number]
