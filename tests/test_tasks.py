"""Evaluation tasks (hybrid_nb.tasks) against independent computations on small synthetic cases: Tatoeba accuracy@1 and
MRR@10 against a plain numpy argmax / scikit-learn's label ranking over sklearn-normalised embeddings, hand-made ties,
noise sides, per-language intervals and paired tests; XQuAD paragraph ranks against a naive loop."""
import numpy as np
import pytest
from sklearn.preprocessing import normalize
from sklearn.metrics import label_ranking_average_precision_score

from hybrid_nb.data import TatoebaData
from hybrid_nb.errors import HybridNBError
from hybrid_nb.tasks import TatoebaTask, XquadParagraphTask, XquadParagraphs, TaskContext, make_task
from hybrid_nb.evaluate import EvalConfig, evaluate


class TableEncoder:
    "Each text's vector from a table; remembers which texts it was asked for."
    def __init__(self, table): self.table, self.seen = table, []
    def encode(self, texts, kind='query', max_length=None, **kw):
        self.seen.append(list(texts))
        return np.stack([self.table[t] for t in texts]).astype(np.float32)


def random_tatoeba(seed=0, sizes=(('amh', 40), ('deu', 60), ('kab', 25)), dim=8):
    "A Tatoeba-shaped dataset whose texts are ids, with random raw embeddings (continuous: no ties)."
    rng = np.random.default_rng(seed)
    langs = [l for l, _ in sizes]
    src = {l: [f'{l}:x{i}' for i in range(n)] for l, n in sizes}
    eng = {l: [f'{l}:e{i}' for i in range(n)] for l, n in sizes}
    raw = {t: rng.normal(size=dim) for l in langs for t in src[l] + eng[l]}
    # make translations similar enough that some, not all, are retrieved
    for l in langs:
        for x, e in zip(src[l], eng[l]): raw[x] = raw[e] + rng.normal(scale=1.2, size=dim)
    return TatoebaData(langs, src, eng, {}), raw


def test_tatoeba_accuracy_matches_numpy_argmax_and_sklearn():
    data, raw = random_tatoeba()
    table = {t: v for t, v in zip(raw, normalize(np.stack(list(raw.values()))))}   # sklearn-normalised rows
    m, pq = TatoebaTask(langs=data.langs).run(TableEncoder(table), data, [0.0], TaskContext(bootstrap=0))
    accs = []
    for l in data.langs:
        X = np.stack([table[t] for t in data.source[l]]); E = np.stack([table[t] for t in data.english[l]])
        S = X @ E.T; gold = np.arange(len(X))
        xx2en, en2xx = np.mean(S.argmax(1) == gold), np.mean(S.T.argmax(1) == gold)
        assert 0 < xx2en < 1 and 0 < en2xx < 1                 # a case where accuracy is informative
        assert m['per_lang'][l]['xx->en'] == pytest.approx(xx2en)
        assert m['per_lang'][l]['en->xx'] == pytest.approx(en2xx)
        # MRR@10: scikit-learn's label ranking AP with one relevant label is its reciprocal rank (ties count against)
        rr = lambda S: np.array([label_ranking_average_precision_score(np.eye(len(S))[i:i + 1], S[i:i + 1]) for i in range(len(S))])
        mrr = (np.where(rr(S) >= 0.1, rr(S), 0).mean() + np.where(rr(S.T) >= 0.1, rr(S.T), 0).mean()) / 2
        assert m['per_lang'][l]['mrr@10'] == pytest.approx(mrr)
        accs.append((xx2en + en2xx) / 2)
    assert m['acc@1']['value'] == pytest.approx(np.mean(accs))           # mean over languages of both directions
    assert pq['0.0']['acc@1'].shape == (3, 60) and np.isnan(pq['0.0']['acc@1'][2, 25:]).all()


def test_tatoeba_ties_are_pessimistic_and_deterministic():
    # four English lines, two pairs of identical vectors: every sentence aligned with a tied line misses
    table = {'x0': [1, 0, 0], 'x1': [0, 1, 0], 'x2': [0, 0, 1], 'x3': [0, 1, 1],
             'e0': [1, 0, 0], 'e1': [1, 0, 0], 'e2': [0, 0, 1], 'e3': [0, 1, 1]}
    table = {k: np.asarray(v, float) / np.linalg.norm(v) for k, v in table.items()}
    data = TatoebaData(['amh'], {'amh': ['x0', 'x1', 'x2', 'x3']}, {'amh': ['e0', 'e1', 'e2', 'e3']}, {})
    runs = [TatoebaTask(langs=['amh']).run(TableEncoder(table), data, [0.0], TaskContext(bootstrap=0))[1] for _ in range(2)]
    ranks = runs[0]['0.0']['xx2en_rank'][0]
    # x0: e0 and e1 tie at 1.0 -> rank 2 (argmax would say right); x1 = (0,1,0): its line e1 scores 0, as do e0 and
    # e2, and e3 scores .71 -> rank 4; x2: e2 1.0, e3 .71 -> rank 1; x3: e3 1.0 -> rank 1
    assert ranks.tolist() == [2, 4, 1, 1]
    assert np.array_equal(runs[0]['0.0']['xx2en_rank'], runs[1]['0.0']['xx2en_rank'])
    X = np.stack([table[t] for t in data.source['amh']]); E = np.stack([table[t] for t in data.english['amh']])
    assert (X @ E.T).argmax(1)[0] == 0        # numpy's argmax breaks this tie optimistically: we do not


@pytest.mark.parametrize('side, noisy_xx, noisy_en', [('source', True, False), ('english', False, True), ('both', True, True)])
def test_tatoeba_noise_sides(side, noisy_xx, noisy_en):
    data = TatoebaData(['deu'], {'deu': ['Ich bin nicht hier heute.', 'Das ist gut so, mein Freund.']},
                       {'deu': ['I am not here today.', 'That is fine, my friend.']}, {})
    class AnyText(TableEncoder):
        def encode(self, texts, kind='query', max_length=None, **kw):
            self.seen.append(list(texts)); return normalize(np.random.default_rng(len(self.seen)).normal(size=(len(texts), 4)))
    enc = AnyText({})
    TatoebaTask(langs=['deu'], noise_on=side).run(enc, data, [0.3], TaskContext(bootstrap=0))
    xx_seen, en_seen = enc.seen
    assert (xx_seen != data.source['deu']) == noisy_xx and (en_seen != data.english['deu']) == noisy_en


def test_tatoeba_intervals_per_language_class_and_tier():
    data, raw = random_tatoeba(1)
    table = {t: v for t, v in zip(raw, normalize(np.stack(list(raw.values()))))}
    m, _ = TatoebaTask(langs=data.langs).run(TableEncoder(table), data, [0.0], TaskContext(bootstrap=300))
    lo, hi = m['acc@1']['ci95']; assert lo <= m['acc@1']['value'] <= hi and hi > lo
    for l in data.langs:
        lo, hi = m['per_lang'][l]['acc@1_ci95']; assert lo <= m['per_lang'][l]['acc@1'] <= hi
    # amh: class 2, kab: class 1 (both low); deu: class 5 (high)
    assert m['by_class']['5']['n_langs'] == 1 and m['by_tier']['low']['n_langs'] == 2
    assert m['by_tier']['low']['acc@1']['value'] == pytest.approx((m['per_lang']['amh']['acc@1'] + m['per_lang']['kab']['acc@1']) / 2)


def test_tatoeba_paired_test_between_two_models():
    data, raw = random_tatoeba(2)
    good = {t: v for t, v in zip(raw, normalize(np.stack(list(raw.values()))))}
    rng = np.random.default_rng(5)
    bad = {t: v for t, v in zip(raw, normalize(np.stack(list(raw.values())) + rng.normal(scale=2.0, size=(len(raw), 8))))}
    task = TatoebaTask(langs=data.langs)
    a = task.run(TableEncoder(good), data, [0.0], TaskContext(bootstrap=0))[1]['0.0']
    b = task.run(TableEncoder(bad), data, [0.0], TaskContext(bootstrap=0))[1]['0.0']
    t = task.paired(a, b, 'acc@1', n_perm=2000, B=300)
    assert t['diff'] > 0 and t['ci95'][0] > 0 and t['p_value'] < 0.01
    assert task.paired(a, a, 'acc@1', n_perm=500, B=50)['p_value'] == 1.0
    low = task.paired(a, b, 'acc@1', rows=[0, 2], n_perm=500, B=50)           # the low tier only: amh, kab
    assert low['diff'] == pytest.approx(np.nanmean(a['acc@1'][[0, 2]], 1).mean() - np.nanmean(b['acc@1'][[0, 2]], 1).mean())


def test_xquad_paragraph_ranks_match_a_naive_loop():
    rng = np.random.default_rng(0)
    langs, n_par, n_q = ['en', 'de', 'th'], 6, 9
    paras = {l: [f'{l}:p{i}' for i in range(n_par)] for l in langs}
    gold = rng.integers(0, n_par, n_q)
    qs = {l: [(f'q{j}', f'{l}:q{j}', int(gold[j])) for j in range(n_q) if not (l == 'th' and j == 0)] for l in langs}
    data = XquadParagraphs(langs, [f'0:{i}' for i in range(n_par)], paras, qs, [f'q{j}' for j in range(n_q)], {})
    table = {t: v for t, v in zip([t for l in langs for t in paras[l] + [q for _, q, _ in qs[l]]],
                                  normalize(rng.normal(size=(3 * n_par + 3 * n_q - 1, 5))))}
    m, pq = XquadParagraphTask(langs=langs).run(TableEncoder(table), data, [0.0], TaskContext(bootstrap=0))
    rank = pq['0.0']['rank']
    for a, la in enumerate(langs):
        for qid, q, p in qs[la]:
            j = int(qid[1:])
            for b, lb in enumerate(langs):
                s = np.array([table[q] @ table[x] for x in paras[lb]])
                assert rank[a, b, j] == (s >= s[p]).sum()
            pooled = np.array([table[q] @ table[x] for lb in langs for x in paras[lb]])
            rel = [b * n_par + p for b in range(len(langs))]
            ranks = sorted((pooled >= pooled[r]).sum() for r in rel)
            assert pq['0.0']['multi_acc@1'][a, j] == (ranks[0] == 1)
            assert pq['0.0']['multi_map'][a, j] == pytest.approx(np.mean([(k + 1) / r for k, r in enumerate(ranks)]))
    assert np.isnan(rank[2, :, 0]).all()                                   # th has no question q0
    assert m['acc@1']['value'] == pytest.approx(np.mean([np.nanmean(rank[a, b] == 1, where=~np.isnan(rank[a, b]))
                                                         for a in range(3) for b in range(3)]))
    assert set(m['degradation']['mono']['acc@1']) == {'de', 'th'} and 'low' in m['degradation']['by_tier']['cross']['acc@1']


@pytest.mark.parametrize('make, fault', [
    (lambda: EvalConfig('tatoeba', max_questions=10), "max_questions=10 applies to none of the tasks ['tatoeba']"),
    (lambda: EvalConfig('tatoeba', langs='amh,xx'), "unknown language for tatoeba 'xx'"),
    (lambda: EvalConfig('tatoeba', noise_on='queries'), 'noise_on for tatoeba must be source, english or both'),
    (lambda: EvalConfig('xquad', langs='en,ro,xx'), "unknown language for xquad 'xx'"),
    (lambda: EvalConfig('xquad-r,squad'), "unknown task 'squad'"),
    (lambda: make_task({'name': 'tatoeba', 'pool': 'en'}), "task 'tatoeba' has no option(s) ['pool']"),
])
def test_config_errors_are_one_line(make, fault):
    with pytest.raises(HybridNBError) as e: make()
    assert fault in str(e.value) and '\n' not in str(e.value)


def test_named_language_sets():
    assert len(TatoebaTask(langs='all').langs) == 112 and len(TatoebaTask(langs='xtreme36').langs) == 36
    from hybrid_nb.languages import joshi_class
    cpu = TatoebaTask(langs='cpu').langs
    assert sum(joshi_class(l) in (0, 1, 2) for l in cpu) >= 15


def test_evaluate_tatoeba_from_data_with_a_table_encoder():
    data, raw = random_tatoeba(3)
    table = {t: v for t, v in zip(raw, normalize(np.stack(list(raw.values()))))}
    cfg = EvalConfig([{'name': 'tatoeba', 'langs': data.langs}], noise_rates=[0.0], bootstrap=50,
                     bias=False)   # the table knows only these texts, not the bias probe's MLQA-R passages
    m, pq = evaluate(TableEncoder(table), cfg, data=data, show_progress=False)
    assert m['tasks'] == ['tatoeba'] and set(m['tatoeba']['by_noise']) == {'0.0'} and pq['tatoeba']['0.0']['acc@1'].shape == (3, 60)


def test_tatoeba_encodes_each_distinct_text_once():
    data = TatoebaData(['deu', 'fra'], {'deu': ['Hallo.', 'Ja.'], 'fra': ['Salut.', 'Oui.']},
                       {'deu': ['Hello.', 'Yes.'], 'fra': ['Hello.', 'Yes!']}, {})
    enc = TableEncoder({t: v for t, v in zip(['Hallo.', 'Ja.', 'Salut.', 'Oui.', 'Hello.', 'Yes.', 'Yes!'],
                                             normalize(np.random.default_rng(0).normal(size=(7, 4))))})
    m, pq = TatoebaTask(langs=['deu', 'fra']).run(enc, data, [0.0], TaskContext(bootstrap=0))
    assert enc.seen[1] == ['Hello.', 'Yes.', 'Yes!']                       # 'Hello.' of both pair files encoded once
    direct = TableEncoder(enc.table)
    S = np.stack([direct.table[t] for t in data.source['fra']]) @ np.stack([direct.table[t] for t in data.english['fra']]).T
    assert pq['0.0']['xx2en_acc@1'][1].tolist() == (S.argmax(1) == np.arange(2)).tolist()
