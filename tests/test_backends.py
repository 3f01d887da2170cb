"""Every registered encoder variant keeps the accuracy of PyTorch fp32 on real text, and `auto` resolves on this CPU.

The accuracy bound that decides `auto` is measured on the full XQuAD-R by bench/bench_eval.py (mAP within 0.002);
here a small real case checks each variant's vectors against PyTorch fp32 (cosine of each text, and whether each
query's nearest candidates stay the same), so a broken export, a wrong precision or a misordered batch fails at once.
Nothing here is timed."""
import numpy as np
import pytest

from hybrid_nb.errors import ModelError
from hybrid_nb.hardware import native_bf16, cpu_kind
from hybrid_nb.encoders import BACKENDS, AUTO_VARIANTS, Variant, get_backend, backend_available, resolve_variant, load_encoder, make_encoder
from hybrid_nb.model import load_model
from hybrid_nb import backends

# per precision: the lowest cosine of any text to PyTorch fp32, and the share of queries whose top-1 candidate
# and top-5 set agree with PyTorch fp32's (a broken variant lands far below these; rounding stays far above)
BOUNDS = {'fp32': (0.9999, 1.0, 0.99), 'bf16': (0.995, 0.97, 0.9), 'int8': (0.97, 0.9, 0.8)}

def registered_variants():
    return [Variant(b, p) for b in BACKENDS for p in get_backend(b).precisions]

@pytest.fixture(scope='module')
def texts(data_dir):
    from hybrid_nb.data import load_lareqa
    d = load_lareqa('xquad-r', ['en', 'de', 'ar', 'zh', 'th'], data_dir)
    queries = [q.text for l in d.langs for q in d.questions[l][:40]]
    passages = [c.sentence for l in d.langs for c in d.candidates[l][:40]]
    return queries, passages

@pytest.fixture(scope='module')
def model():
    return load_model('e5-small', device='cpu')

@pytest.fixture(scope='module')
def reference(model, texts):
    enc = make_encoder(model, 'torch', 'fp32', cache=False)
    return enc.encode(texts[0], 'query', 64), enc.encode(texts[1], 'passage', 128)

def agreement(q, p, q_ref, p_ref):
    "(share of queries with the same top-1 candidate, mean overlap of the top-5 sets) against the reference."
    s, s_ref = q @ p.T, q_ref @ p_ref.T
    top1 = (s.argmax(1) == s_ref.argmax(1)).mean()
    top5 = np.mean([len(set(a) & set(b)) / 5 for a, b in zip(np.argsort(-s, 1)[:, :5], np.argsort(-s_ref, 1)[:, :5])])
    return top1, top5

@pytest.mark.parametrize('variant', registered_variants(), ids=lambda v: v.name)
def test_variant_keeps_fp32_accuracy(variant, model, texts, reference):
    if not backend_available(variant.backend): pytest.skip(f"{variant.backend}: optional extra not installed")
    if variant.precision == 'bf16' and not native_bf16(): pytest.skip('bf16 is emulated on this CPU: not a variant here')
    enc = make_encoder(model, variant.backend, variant.precision, cache=False)
    assert enc.variant == variant.name
    q, p = enc.encode(texts[0], 'query', 64), enc.encode(texts[1], 'passage', 128)
    cos = np.concatenate([(q * reference[0]).sum(1), (p * reference[1]).sum(1)])
    top1, top5 = agreement(q, p, *reference)
    min_cos, min_top1, min_top5 = BOUNDS[variant.precision]
    assert cos.min() >= min_cos and top1 >= min_top1 and top5 >= min_top5, \
        f"{variant.name}: min cosine {cos.min():.5f}, top-1 agreement {top1:.3f}, top-5 overlap {top5:.3f}"

def test_auto_resolves_on_this_cpu(private_cache):
    v = resolve_variant()
    assert v.name in AUTO_VARIANTS[cpu_kind()] or v == Variant('torch', 'fp32')
    assert backend_available(v.backend)
    assert v.precision != 'bf16' or native_bf16()
    enc = load_encoder('tiny', device='cpu', cache=False)
    d = enc.describe()
    assert d['variant'] == v.name and d['cpu_kind'] == cpu_kind() and d['requested'] == dict(backend='auto', precision='auto')
    assert enc.encode(['a', 'b c'], 'query').shape == (2, enc.dim)

def test_every_listed_variant_is_registered():
    for kind, names in AUTO_VARIANTS.items():
        for name in names:
            v = Variant.parse(name)
            assert v.precision in get_backend(v.backend).precisions, (kind, name)

def test_missing_extra_is_skipped_by_auto_and_named_when_asked_for(monkeypatch):
    monkeypatch.setitem(backends.EXTRAS, 'onnx', ('onnxruntime', 'no_such_module_here'))
    monkeypatch.setitem(backends.EXTRAS, 'openvino', ('no_such_module_here',))
    assert resolve_variant().backend == 'torch'
    with pytest.raises(ModelError, match=r'pip install "hybrid_nb\[openvino\]"'):
        load_encoder('tiny', backend='openvino', device='cpu', cache=False)

def test_unknown_precision_is_one_line():
    with pytest.raises(ModelError, match="backend 'torch' runs fp32 or bf16, not 'int8'"):
        load_encoder('tiny', backend='torch', precision='int8', device='cpu', cache=False)
