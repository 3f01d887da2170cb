"NTREX-128 in the data layer (issue 29): the shared copy matches its SHA256SUMS, and it is zero-shot for every evaluation set."
from hybrid_nb.cache import sha256_file
from hybrid_nb.data import DATASETS, load_ntrex, ntrex_corpus, ntrex_shared_lines, ntrex_code
from hybrid_nb.train import evaluation_sets

def test_embedded_checksums_match_the_copy_and_its_sha256sums(data_dir):
    src = DATASETS['ntrex']
    listed = dict(reversed(l.split()) for l in (data_dir / src.folder / 'SHA256SUMS').read_text().splitlines())
    assert listed == src.sha256 and len(listed) == 132
    assert {f: sha256_file(data_dir / src.folder / f) for f in src.sha256} == src.sha256

def test_ntrex_is_zero_shot_for_every_evaluation_set(data_dir):
    nt = load_ntrex()
    evaluation = evaluation_sets('xquad-r,xquad,tatoeba,mlqa-r')
    assert list(ntrex_shared_lines(nt, evaluation)) == [1842]   # Danish and Filipino "I'll be with you." are in Tatoeba
    corpus = ntrex_corpus(nt, evaluation=evaluation)              # runs assert_zero_shot on what is left
    assert len(corpus) == 1996 and 'ntrex:1842' not in corpus.queries

def test_codes_of_either_system():
    assert [ntrex_code(c) for c in ('th', 'tha', 'uig', 'ug', 'cmn', 'zh')] == ['tha', 'tha', 'uig', 'uig', 'zho-CN', 'zho-CN']

def test_cli_stats_ntrex(data_dir):
    import json
    from conftest import run_cli
    r = run_cli('data', 'stats', '--dataset', 'ntrex', '--langs', 'amh,xh,zho-CN,bem', '--json')
    assert r.returncode == 0, r.stderr
    st = json.loads(r.stdout)['languages']
    assert list(st) == ['amh', 'bem', 'xho', 'zho-CN']
    assert (st['amh']['half'], st['xho']['half'], st['zho-CN']['script'], st['bem']['joshi']) == ('unseen', 'seen', 'Han', None)
    bad = run_cli('data', 'stats', '--dataset', 'ntrex', '--langs', 'kab')
    assert bad.returncode == 2 and bad.stderr.count('\n') == 1 and 'NTREX-128 has no Kabyle' in bad.stderr, bad.stderr

def test_mixed_source_batches(data_dir):
    "train_source='mlqa-r+ntrex': NTREX pairs only in cross-lingual batches, always English<->L; validation is MLQA-R's."
    from hybrid_nb.train import TrainConfig, run_corpora
    from hybrid_nb.samplers import HybridBatchSampler, batch_kind
    train_c, val_c = run_corpora(TrainConfig(train_source='mlqa-r+ntrex', eval_dataset='xquad-r'))
    assert not any(i.startswith('ntrex:') for i in val_c.ids) and val_c.name == 'mlqa-r+ntrex:val'
    batches = list(HybridBatchSampler(train_c, 32, 0.5, steps_per_epoch=200).global_batches())
    mono = [p for b in batches if batch_kind(b) == 'mono' for p in b]
    cross = [p for b in batches if batch_kind(b) == 'cross' for p in b]
    assert mono and not any(p.qid.startswith('ntrex:') for p in mono)
    ntrex = [p for p in cross if p.qid.startswith('ntrex:')]
    assert 0.3 < len(ntrex) / len(cross) < 0.7 and all('en' in (p.qlang, p.plang) for p in ntrex)
