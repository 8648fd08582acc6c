"""seqlib.interpret: rollout on hand-made maps, saliency sanity, probes, attention overrides."""

import pytest
import torch

import seqlib
from seqlib import interpret as I
from seqlib import language as L


@pytest.fixture(scope="module")
def tiny(language_fighters):
    """An untrained causal Transformer and LSTM over the language's vocabulary, and a batch."""
    transformer, lstm = language_fighters
    sentences = L.generate(L.TRAIN_TEMPLATES, 12, seed=0)
    inputs, _ = L.to_tensors(sentences, L.max_length())
    positions = torch.tensor([s.pronoun for s in sentences])
    return transformer, lstm, inputs, positions


# ---- rollout and head scores ---------------------------------------------------------------


def test_rollout_on_hand_made_maps():
    identity = torch.eye(3)[None]  # (1 head, 3, 3): every token attends to itself
    assert torch.allclose(I.attention_rollout([identity, identity]), torch.eye(3))
    to_first = torch.zeros(1, 3, 3)
    to_first[0, :, 0] = 1.0  # every token attends to token 0
    a = 0.5 * torch.eye(3) + 0.5 * to_first[0]
    assert torch.allclose(I.attention_rollout([to_first]), a)
    assert torch.allclose(I.attention_rollout([to_first, to_first]), a @ a)
    assert torch.allclose(I.attention_rollout([to_first], residual=0.0), to_first[0])
    # heads are averaged; the later layer is on the left
    two_heads = torch.stack([torch.eye(3), to_first[0]])  # (2, 3, 3)
    mean = 0.5 * torch.eye(3) + 0.5 * two_heads.mean(0)
    assert torch.allclose(I.attention_rollout([two_heads, to_first]), a @ mean)
    batched = I.attention_rollout([to_first[None].expand(4, 1, 3, 3)])
    assert batched.shape == (4, 3, 3) and torch.allclose(batched.sum(-1), torch.ones(4, 3))


def test_rollout_bad_input():
    with pytest.raises(ValueError, match="empty"):
        I.attention_rollout([])
    with pytest.raises(ValueError, match="same shape|shape"):
        I.attention_rollout([torch.ones(1, 3, 3), torch.ones(1, 4, 4)])
    with pytest.raises(ValueError, match="residual"):
        I.attention_rollout([torch.eye(3)[None]], residual=2.0)


def test_head_scores_find_a_planted_head():
    B, H, T = 10, 3, 6
    maps = [torch.full((B, H, T, T), 1 / T) for _ in range(2)]
    queries = torch.full((B,), 5)
    keys = torch.arange(B) % 5
    maps[1][torch.arange(B), 2, 5] = 0.0
    maps[1][torch.arange(B), 2, 5, keys] = 1.0
    scores = I.head_scores(maps, queries, keys)
    assert scores["weight"].shape == scores["hit"].shape == (2, H)
    assert scores["weight"][1, 2] == 1.0 and scores["hit"][1, 2] == 1.0
    assert torch.allclose(scores["weight"][0], torch.full((H,), 1 / T))


def test_attention_maps_of_a_model(tiny):
    transformer, lstm, inputs, _ = tiny
    maps = I.attention_maps(transformer, inputs)
    assert len(maps) == 2 and maps[0].shape == (12, 2, inputs.shape[1], inputs.shape[1])
    assert torch.allclose(maps[0].sum(-1), torch.ones(12, 2, inputs.shape[1]))
    assert torch.all(maps[0].triu(1) == 0)  # causal
    with pytest.raises(ValueError, match="transformer"):
        I.attention_maps(lstm, inputs)


# ---- overriding attention -------------------------------------------------------------------


def test_uniform_and_permuted_weights_on_a_causal_row():
    weights = torch.tensor([[1.0, 0, 0], [0.9, 0.1, 0], [0.7, 0.2, 0.1]])
    allowed = torch.ones(3, 3).tril().bool()
    uniform = I.uniform_weights(weights, allowed)
    assert torch.allclose(uniform[2], torch.full((3,), 1 / 3)) and uniform[1, 2] == 0
    g = torch.Generator().manual_seed(0)
    for _ in range(5):
        permuted = I.permuted_weights(weights, allowed, g)
        assert torch.all(permuted[~allowed] == 0)  # still causal
        for row in range(3):  # each row keeps its own weights, in some order
            assert sorted(permuted[row, : row + 1].tolist()) == sorted(
                weights[row, : row + 1].tolist()
            )


def test_override_attention_changes_the_weights_then_restores(tiny):
    transformer, _, inputs, positions = tiny
    before = I.attention_maps(transformer, inputs)
    logits = I.logits_at(transformer, inputs, positions)
    with I.override_attention(transformer, "uniform"):
        uniform = I.attention_maps(transformer, inputs)
        logits_uniform = I.logits_at(transformer, inputs, positions)
    T = inputs.shape[1]
    expected = torch.ones(T, T).tril() / torch.arange(1, T + 1)[:, None]
    assert torch.allclose(uniform[0][0, 0], expected)
    assert not torch.allclose(logits, logits_uniform)
    with I.override_attention(transformer, "permuted", seed=1):
        permuted = I.attention_maps(transformer, inputs)
    assert not torch.allclose(permuted[0], before[0])
    assert torch.allclose(permuted[0].sort(-1).values, before[0].sort(-1).values, atol=1e-6)
    after = I.attention_maps(transformer, inputs)  # restored outside the block
    assert torch.allclose(after[0], before[0])
    with pytest.raises(ValueError, match="mode"), I.override_attention(transformer, "random"):
        pass


def causal_transformer(*, d_model: int, seed: int) -> seqlib.SequenceModel:
    """A one-layer, two-head causal Transformer over the language, seqlib's attention."""
    return seqlib.build_model(
        "transformer",
        d_model=d_model,
        nhead=2,
        num_layers=1,
        vocab_size=len(L.VOCAB),
        num_classes=len(L.PERSONS),
        output="per_step",
        causal=True,
        impl="seqlib",
        seed=seed,
    )


def test_override_attention_touches_only_the_model_it_is_given(tiny):
    """An explicit hook per layer, not a swapped module function: another model keeps its own
    attention inside the block, and the hooks are put back even when the block raises."""
    transformer, lstm, inputs, positions = tiny
    other = causal_transformer(d_model=8, seed=1).eval()
    own = I.attention_maps(other, inputs)
    with pytest.raises(RuntimeError, match="inside"), I.override_attention(transformer, "uniform"):
        torch.testing.assert_close(I.attention_maps(other, inputs)[0], own[0])
        raise RuntimeError("inside the block")
    layers = [m for m in transformer.modules() if isinstance(m, seqlib.MultiHeadAttention)]
    assert layers and all(layer.weights_hook is None for layer in layers)
    no_attention = pytest.raises(ValueError, match="no seqlib attention layer")
    with no_attention, I.override_attention(lstm, "uniform"):
        pass
    not_a_model = pytest.raises(TypeError, match="model must be a torch.nn.Module")
    with not_a_model, I.override_attention("uniform", "uniform"):
        pass


# ---- erasure, predictions -----------------------------------------------------------------


def test_erase_removes_one_token_and_moves_the_position():
    inputs = torch.tensor([[5, 6, 7, 8, 0], [5, 6, 7, 8, 0]])
    out, moved = I.erase(inputs, torch.tensor([1, 3]), torch.tensor([2, 2]), pad_id=0)
    assert out.tolist() == [[5, 7, 8, 0, 0], [5, 6, 7, 0, 0]]
    assert moved.tolist() == [1, 2]
    with pytest.raises(ValueError, match="cannot erase"):
        I.erase(inputs, torch.tensor([2, 1]), torch.tensor([2, 2]), pad_id=0)
    with pytest.raises(ValueError, match="drop must have shape"):  # the drop is too short
        I.erase(inputs, torch.tensor([1]), torch.tensor([2, 2]), pad_id=0)
    with pytest.raises(ValueError, match="positions must have shape"):
        I.erase(inputs, torch.tensor([1, 3]), torch.tensor([2]), pad_id=0)


# ---- saliency ------------------------------------------------------------------------------


@pytest.mark.parametrize("which", [0, 1])
def test_saliency_shapes_and_locality(tiny, which):
    model = tiny[which]
    _, _, inputs, positions = tiny
    for method in ("grad_x_input", "integrated_gradients"):
        sal = I.saliency(model, inputs, positions, method=method, steps=8)
        assert sal.shape == inputs.shape and torch.isfinite(sal).all()
        after = torch.arange(inputs.shape[1])[None] > positions[:, None]
        assert torch.all(sal[after] == 0)  # causal models: later words cannot matter


@pytest.mark.parametrize("which", [0, 1])
def test_integrated_gradients_completeness(tiny, which):
    model = tiny[which]
    _, _, inputs, positions = tiny
    target = torch.zeros(len(positions), dtype=torch.long)
    sal = I.saliency(model, inputs, positions, target, method="integrated_gradients", steps=128)
    logits = I.logits_at(model, inputs, positions)[:, 0]
    with torch.no_grad(), I._embedding_replaced(model, torch.zeros(*inputs.shape, model.d_model)):
        zero = model(inputs)[torch.arange(len(positions)), positions, 0]
    assert torch.allclose(sal.sum(-1), logits - zero, atol=2e-3, rtol=1e-2)


def test_grad_x_input_of_a_linear_model_is_exact():
    torch.manual_seed(0)
    model = seqlib.build_model("lstm", vocab_size=5, d_model=4, num_classes=3, output="per_step")

    class Linear(torch.nn.Module):  # logits = sum of the embeddings up to t, times W
        def __init__(self):
            super().__init__()
            self.embed, self.head = model.embed, torch.nn.Linear(4, 3, bias=False)

        def forward(self, x):
            return self.head(self.embed(x).cumsum(1))

    linear = Linear()
    inputs, positions = torch.tensor([[1, 2, 3]]), torch.tensor([2])
    sal = I.saliency(linear, inputs, positions, torch.tensor([1]))
    expected = (linear.embed(inputs)[0] @ linear.head.weight[1]).detach()
    assert torch.allclose(sal[0], expected, atol=1e-6)


# ---- LSTM gates and probes ---------------------------------------------------------------


def test_lstm_gates(tiny):
    transformer, lstm, inputs, _ = tiny
    gates = I.lstm_gates(lstm, inputs)
    assert len(gates) == 2 and gates[0].f.shape == (*inputs.shape, 12)
    assert torch.all((gates[0].f > 0) & (gates[0].f < 1))
    with pytest.raises(ValueError, match="lstm"):
        I.lstm_gates(transformer, inputs)


def test_probe_and_unit_scores_find_a_planted_feature():
    g = torch.Generator().manual_seed(0)
    labels = torch.randint(2, (400,), generator=g)
    features = torch.randn(400, 10, generator=g)
    features[:, 7] += 3.0 * labels  # unit 7 carries the feature
    probe = I.linear_probe(features, labels)
    assert probe.accuracy > 0.9 and 0.35 < probe.baseline < 0.65
    assert probe.weight.shape == (2, 10)
    scores = I.unit_scores(features, labels)
    assert int(scores.argmax()) == 7 and scores[7] > 0.9
    assert scores[:7].max() < 0.65
    noise = I.linear_probe(torch.randn(400, 10, generator=g), labels)
    assert noise.accuracy < 0.65
    perfect = I.unit_scores(labels[:, None].float() * -1, labels)  # reversed direction counts
    assert perfect.item() == 1.0
    with pytest.raises(ValueError, match="binary"):
        I.unit_scores(features, labels + 1)
    with pytest.raises(ValueError, match="features must be"):
        I.linear_probe(features[:, 0], labels)


# ---- the head rule, controls for erasure and probes ----------------------------------------


def test_choose_head_counts_hits_not_mean_weight():
    B, H, T = 4, 2, 5
    maps = [torch.full((B, H, T, T), 1 / T) for _ in range(2)]
    queries, keys = torch.full((B,), 4), torch.tensor([0, 1, 2, 3])
    b = torch.arange(B)
    maps[1][b, 0, 4] = 0.0
    maps[1][b, 0, 4, keys] = 0.4  # always the top key, weight 0.4
    maps[1][b, 0, 4, (keys + 1) % 4] = 0.3
    maps[1][b, 0, 4, 4] = 0.3
    maps[0][b, 1, 4] = 0.0
    maps[0][b, 1, 4, keys] = torch.tensor([1.0, 1.0, 0.45, 0.45])  # heavier, top in 2 rows
    maps[0][b, 1, 4, 4] = torch.tensor([0.0, 0.0, 0.55, 0.55])
    assert I.choose_head(maps, queries, keys) == (1, 0)
    flat = [torch.full((B, H, T, T), 1 / T) for _ in range(2)]  # a tie everywhere: the first
    assert I.choose_head(flat, queries, torch.zeros(B, dtype=torch.long)) == (0, 0)


def test_top_before():
    scores = torch.tensor([[0.1, 0.5, 0.2, 0.9], [0.3, 0.1, 0.2, 0.0]])
    assert I.top_before(scores, torch.tensor([3, 3])).tolist() == [1, 0]
    assert I.top_before(scores, torch.tensor([1, 4])).tolist() == [0, 0]
    with pytest.raises(ValueError, match=">= 1"):
        I.top_before(scores, torch.tensor([0, 2]))
    with pytest.raises(ValueError, match=r"\(B, T\)"):
        I.top_before(scores[0], torch.tensor([1]))


def test_same_kind_control():
    ids = L.WORD_TO_ID
    row = ["the", "actor", "of", "Tesla", "met", "the", "queen", "and", "she"]
    single = ["the", "CEO", "of", "Tesla", "said", "he", "loves", "cars", "<pad>"]
    inputs = torch.tensor([[ids[w] for w in row], [ids[w] for w in single]])
    positions = torch.tensor([8, 5])
    kinds = L.word_kinds()
    control = I.same_kind_control(inputs, torch.tensor([6, 1]), positions, kinds, seed=0)
    assert control.tolist() == [1, -1]  # the other person; none in the second sentence
    for seed in range(5):  # "the" at 0 or 5: another function word before the pronoun
        c = I.same_kind_control(inputs, torch.tensor([0, 0]), positions, kinds, seed=seed)
        assert c[0] in (2, 4, 5, 7) and c[1] in (2, 4)
    with pytest.raises(ValueError, match="kinds"):
        I.same_kind_control(inputs, torch.tensor([6, 1]), positions, kinds[:3])


def test_control_task_gives_each_word_type_one_label():
    types = torch.tensor([5, 7, 5, 9, 7, 5])
    labels = torch.tensor([0, 1, 0, 2, 1, 0])
    control = I.control_task(types, labels, seed=3)
    assert control.shape == types.shape
    for t in types.unique():
        assert len(control[types == t].unique()) == 1
    assert set(control.tolist()) <= set(labels.tolist())
    assert torch.equal(control, I.control_task(types, labels, seed=3))
    with pytest.raises(ValueError, match=r"\(N,\)"):
        I.control_task(types, labels[:3])
    with pytest.raises(ValueError, match="empty"):
        I.control_task(types[:0], labels[:0])


def test_override_and_erasure_changes(tiny):
    transformer, lstm, inputs, positions = tiny
    for mode in I.OVERRIDES:
        assert 0.0 <= I.override_changes(transformer, inputs, positions, mode) <= 1.0
    with pytest.raises(ValueError):
        I.override_changes(transformer, inputs, positions, "shuffled")
    pad = L.WORD_TO_ID[L.PAD]
    drop = torch.zeros_like(positions)
    for model in (transformer, lstm):
        assert 0.0 <= I.erasure_changes(model, inputs, positions, drop, pad) <= 1.0
    skipped = drop.clone()
    skipped[1:] = -1  # only the first row is erased
    one = I.erasure_changes(lstm, inputs, positions, skipped, pad)
    assert one in (0.0, 1.0)
    with pytest.raises(ValueError, match="no word to erase"):
        I.erasure_changes(lstm, inputs, positions, torch.full_like(positions, -1), pad)
    with pytest.raises(ValueError, match="drop must have shape"):
        I.erasure_changes(lstm, inputs, positions, drop[:2], pad)


def test_training_inside_uniform_override_keeps_attention_uniform():
    torch.set_num_threads(1)
    model = causal_transformer(d_model=16, seed=0)
    data = L.to_tensors(L.generate(L.TRAIN_TEMPLATES, 32, seed=0), L.max_length())
    with I.override_attention(model, "uniform"):
        history = seqlib.train(model, data, steps=3, batch_size=8, progress=False)
        (maps,) = I.attention_maps(model, data[0][:4])  # (4, heads, T, T)
    T = maps.shape[-1]
    expected = torch.ones(T, T).tril() / torch.arange(1, T + 1)[:, None]
    assert len(history.loss) == 3
    assert torch.allclose(maps, expected.expand_as(maps))


# ---- the experiment's checker ------------------------------------------------------------


def test_rollout_needs_a_list_of_maps_and_a_number():
    maps = [torch.eye(3)[None], torch.eye(3)[None]]
    with pytest.raises(TypeError, match=r"maps must be a list of per-layer attention maps"):
        I.attention_rollout(maps[0])
    with pytest.raises(TypeError, match=r"maps\[1\] must be a torch.Tensor"):
        I.attention_rollout([maps[0], "x"])
    with pytest.raises(TypeError, match="residual must be a number"):
        I.attention_rollout(maps, residual="a")
    with pytest.raises(ValueError, match="residual must be finite"):
        I.attention_rollout(maps, residual=float("nan"))


def test_head_scores_check_queries_keys_and_maps():
    B, H, T = 4, 2, 5
    maps = [torch.full((B, H, T, T), 1 / T) for _ in range(2)]
    queries, keys = torch.full((B,), 4), torch.tensor([0, 1, 2, 3])
    for function in (I.head_scores, I.choose_head):
        with pytest.raises(ValueError, match=r"queries must be in \[0, 5\)"):
            function(maps, queries + 1, keys)
        with pytest.raises(ValueError, match=r"keys must be in \[0, 5\)"):
            function(maps, queries, keys - 1)
        with pytest.raises(TypeError, match="queries must be integers"):
            function(maps, queries.float(), keys)
        with pytest.raises(ValueError, match=r"keys must have shape \(4,\)"):
            function(maps, queries, keys[:3])
        with pytest.raises(TypeError, match="maps must be a list"):
            function(maps[0], queries, keys)
        with pytest.raises(ValueError, match=r"maps\[0\] must be 4-D"):
            function([maps[0][0]], queries, keys)


def test_logits_and_saliency_need_a_per_step_model(tiny):
    _, _, inputs, positions = tiny
    sequence = seqlib.build_model(
        "lstm", vocab_size=len(L.VOCAB), d_model=8, num_classes=len(L.PERSONS), seed=0
    )
    with pytest.raises(ValueError, match="per-step model.*output='per_step'"):
        I.logits_at(sequence, inputs, positions)
    with pytest.raises(ValueError, match="per-step model.*output='per_step'"):
        I.saliency(sequence, inputs, positions)
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        I.predict(lambda x: x, inputs, positions)
    with pytest.raises(TypeError, match="positions must be integers"):
        I.predict(tiny[1], inputs, positions.float())


def test_saliency_checks_the_target_and_the_tokens(tiny):
    transformer, lstm, inputs, positions = tiny
    with pytest.raises(ValueError, match=r"target must be in \[0, 18\)"):
        I.saliency(lstm, inputs, positions, torch.full_like(positions, 18))
    with pytest.raises(TypeError, match="target must be integers"):
        I.saliency(lstm, inputs, positions, positions.float())
    with pytest.raises(ValueError, match=r"token ids must lie in \[0, "):
        I.saliency(lstm, inputs + 100, positions)
    with pytest.raises(ValueError, match=r"token ids must lie in \[0, "):
        I.lstm_gates(lstm, inputs + 100)
    with pytest.raises(TypeError, match="model must be a seqlib SequenceModel"):
        I.attention_maps("transformer", inputs)


def test_linear_probe_checks_labels_and_fraction():
    features, labels = torch.randn(40, 3), torch.randint(2, (40,))
    with pytest.raises(TypeError, match="labels must be integers"):
        I.linear_probe(features, labels.float())
    with pytest.raises(ValueError, match="labels must be >= 0, got values from -2"):
        I.linear_probe(features, labels - 2)
    with pytest.raises(ValueError, match=r"labels must have shape \(40,\)"):
        I.linear_probe(features, labels[:5])
    with pytest.raises(TypeError, match="train_fraction must be a number"):
        I.linear_probe(features, labels, train_fraction="0.7")
    with pytest.raises(ValueError, match=r"train_fraction must be in \(0, 1\)"):
        I.linear_probe(features, labels, train_fraction=1.5)
    with pytest.raises(ValueError, match="steps must be >= 1"):
        I.linear_probe(features, labels, steps=0)
    with pytest.raises(ValueError, match="lr must be"):
        I.linear_probe(features, labels, lr=float("nan"))
    with pytest.raises(TypeError, match="features must be a torch.Tensor"):
        I.linear_probe(features.tolist(), labels)
    with pytest.raises(TypeError, match="features must be a torch.Tensor"):
        I.unit_scores(features.tolist(), labels)
    with pytest.raises(TypeError, match="types must be integers"):
        I.control_task(labels.float(), labels)


def test_positions_are_integers_never_truncated():
    scores = torch.tensor([[0.1, 0.5, 0.2, 0.9], [0.3, 0.1, 0.2, 0.0]])
    with pytest.raises(TypeError, match="positions must be integers"):
        I.top_before(scores, torch.tensor([1.7, 2.2]))
    with pytest.raises(TypeError, match="scores must be a torch.Tensor"):
        I.top_before(scores.tolist(), torch.tensor([1, 2]))
    inputs = torch.tensor([[5, 6, 7, 8, 0], [5, 6, 7, 8, 0]])
    with pytest.raises(TypeError, match="pad_id must be an int"):
        I.erase(inputs, torch.tensor([1, 3]), torch.tensor([2, 2]), pad_id=1.5)
    with pytest.raises(TypeError, match="drop must be integers"):
        I.erase(inputs, torch.tensor([1.0, 3.0]), torch.tensor([2, 2]), pad_id=0)
    with pytest.raises(ValueError, match=r"drop must lie in \[0, 5\)"):
        I.erase(inputs, torch.tensor([1, 5]), torch.tensor([2, 2]), pad_id=0)
    with pytest.raises(TypeError, match="kinds must be integers"):
        I.same_kind_control(inputs, torch.tensor([1, 1]), torch.tensor([2, 2]), torch.ones(9))


def test_erasure_changes_checks_drop(tiny):
    _, lstm, inputs, positions = tiny
    with pytest.raises(TypeError, match="drop must be integers"):
        I.erasure_changes(lstm, inputs, positions, torch.zeros(len(positions)), 0)
    with pytest.raises(TypeError, match="pad_id must be an int"):
        I.erasure_changes(lstm, inputs, positions, torch.zeros_like(positions), "0")


def test_linear_probe_refuses_non_finite_features():
    features = torch.randn(40, 3)
    features[0, 0] = float("nan")
    with pytest.raises(ValueError, match="features hold NaN"):
        I.linear_probe(features, torch.randint(2, (40,)))


# ---- controls of the round's verdicts ------------------------------------------------------


def test_one_hot_head_points_each_query_at_its_key():
    (maps,) = I.one_hot_head(torch.tensor([3, 2]), torch.tensor([1, 0]), 5)  # (2, 1, 5, 5)
    assert maps.shape == (2, 1, 5, 5)
    assert maps[0, 0, 3].tolist() == [0, 1, 0, 0, 0] and maps[1, 0, 2].tolist() == [1, 0, 0, 0, 0]
    assert torch.equal(maps[0, 0, 4], torch.eye(5)[4])  # other rows: on themselves
    assert torch.allclose(maps.sum(-1), torch.ones(2, 1, 5))
    with pytest.raises(ValueError, match="keys <= queries"):
        I.one_hot_head(torch.tensor([1]), torch.tensor([2]), 5)


def test_held_out_hit_scores_away_from_the_positional_heads_position():
    queries, keys = torch.tensor([4, 4, 4, 4]), torch.tensor([1, 1, 2, 3])
    positional = I.one_hot_head(queries, torch.full_like(queries, 1), 6)
    planted = I.one_hot_head(queries, keys, 6)
    both = [torch.cat([positional[0], planted[0]], dim=1)]  # (4, 2 heads, 6, 6)
    # on every row the positional head scores 2/4; away from position 1 it scores 0
    assert I.held_out_hit(positional, queries, keys, positional, queries, keys)[1] == 0.5
    assert I.held_out_hit(positional, queries, keys, positional, queries, keys, away_from=1) == (
        (0, 0),
        0.0,
    )
    assert I.held_out_hit(both, queries, keys, both, queries, keys, away_from=1) == ((0, 1), 1.0)
    with pytest.raises(ValueError, match="no row is left"):
        I.held_out_hit(both, queries, keys[:1].expand(4), both, queries, keys, away_from=1)


class _Copier(torch.nn.Module):
    """A planted model: one causal attention layer over one-hot tokens whose queries look only
    for token ``wanted`` and whose output is the attended token: it answers ``wanted`` when the
    token is there (and visible), another token when it is not."""

    output = "per_step"

    def __init__(self, vocab: int, wanted: int) -> None:
        super().__init__()
        self.vocab = vocab
        self.attn = seqlib.MultiHeadAttention(vocab, 1, batch_first=True)
        with torch.no_grad():
            w_q, w_k, w_v = self.attn.in_proj_weight.chunk(3)
            b_q = self.attn.in_proj_bias.chunk(3)[0]
            w_q.zero_(), b_q.fill_(1.0)  # the same query everywhere
            w_k.zero_(), w_v.copy_(torch.eye(vocab))  # keys: only `wanted` scores; values: itself
            w_k[:, wanted] = 40.0
            self.attn.out_proj.weight.copy_(torch.eye(vocab))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, T) -> (B, T, vocab)
        e = torch.nn.functional.one_hot(x, self.vocab).float()
        mask = torch.ones(x.shape[1], x.shape[1]).triu(1).bool()  # True: may not attend
        return self.attn(e, e, e, attn_mask=mask)[0]


def test_masked_key_changes_takes_a_needed_key_away():
    model = _Copier(vocab=6, wanted=5)
    inputs = torch.tensor([[5, 1, 2, 2], [5, 3, 3, 1], [1, 5, 4, 4]])  # token 5 at key 0, 0, 1
    positions = torch.tensor([3, 3, 3])
    assert I.predict(model, inputs, positions).tolist() == [5, 5, 5]
    # the key the answer needs, taken away: every answer changes; another key: none
    assert I.masked_key_changes(model, inputs, positions, torch.tensor([0, 0, 1])) == 1.0
    assert I.masked_key_changes(model, inputs, positions, torch.tensor([2, 2, 2])) == 0.0
    assert model.attn.weights_hook is None  # the hook comes back off
    lstm = seqlib.build_model("lstm", d_model=8, vocab_size=6, num_classes=6, output="per_step")
    with pytest.raises(ValueError, match="no seqlib attention layer"):
        I.masked_key_changes(lstm, inputs, positions, torch.tensor([0, 0, 1]))


def test_occlusion_finds_the_token_a_planted_model_copies():
    model = _Copier(vocab=6, wanted=5)
    inputs = torch.tensor([[5, 1, 2, 2], [1, 5, 4, 4]])
    drops = I.occlusion(model, inputs, torch.tensor([3, 3]), pad_id=0)  # (2, 4)
    assert drops.shape == (2, 4) and (drops[:, 3] == 0).all()  # nothing at the position itself
    assert drops.argmax(-1).tolist() == [0, 1]  # the token the answer copies


def test_normalised_gain_and_a_planted_feature():
    assert I.normalised_gain(0.9, 0.6) == pytest.approx(0.75)
    assert I.normalised_gain(0.6, 0.6) == 0.0 and I.normalised_gain(0.5, 0.6) < 0
    with pytest.raises(ValueError, match="untrained"):
        I.normalised_gain(0.9, 1.0)
    g = torch.Generator().manual_seed(0)
    labels = torch.randint(0, 2, (400,), generator=g)
    noise = torch.randn(400, 4, generator=g)
    readable = I.plant_feature(noise, labels, noise=0.3, seed=0)
    assert torch.equal(readable[:, 1:], noise[:, 1:]) and not torch.equal(readable, noise)
    # a planted feature closes most of the headroom random features leave; noise closes none
    base = I.linear_probe(noise, labels).accuracy
    assert I.normalised_gain(I.linear_probe(readable, labels).accuracy, base) > 0.6
    other = I.linear_probe(torch.randn(400, 4, generator=g), labels).accuracy
    assert abs(I.normalised_gain(other, base)) < 0.3
    with pytest.raises(ValueError, match="features must be"):
        I.plant_feature(noise[:, 0], labels)
