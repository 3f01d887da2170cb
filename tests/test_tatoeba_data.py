"Tatoeba in the data layer (issue 9): the shared copy matches LASER's checksums, every pair is aligned and in the languages table."
from hybrid_nb.cache import sha256_file
from hybrid_nb.data import DATASETS, load_tatoeba, assert_zero_shot, load_lareqa, ParallelCorpus
from hybrid_nb.languages import language, tiers_by_class, unclassified
from hybrid_nb.noise import noisy_tatoeba

def test_shared_copy_matches_embedded_checksums(data_dir):
    src = DATASETS['tatoeba']
    files = {f: data_dir / src.folder / f for f in src.sha256}
    assert len(files) == 224
    assert {f: sha256_file(p) for f, p in files.items()} == src.sha256

def test_every_pair_aligned_and_described(data_dir):
    tt = load_tatoeba()
    assert len(tt.langs) == 112 and tt.checksums() == DATASETS['tatoeba'].sha256
    for l in tt.langs:
        assert 100 <= len(tt.source[l]) == len(tt.english[l]) <= 1000, l
        lang = language(l)
        assert lang.iso3 == l and lang.joshi in (None, 0, 1, 2, 3, 4, 5)
    assert unclassified(tt.langs) == ['arq', 'max', 'orv', 'swg', 'tzl']
    tiers = tiers_by_class(tt.langs)
    assert sum(map(len, tiers.values())) == 107 and {'amh', 'swh', 'kab', 'tel', 'uig', 'xho'} <= set(tiers['low'])

def test_noisy_tatoeba_keeps_alignment(data_dir):
    tt = load_tatoeba(['amh', 'cmn'])
    noisy = noisy_tatoeba(tt, 0.2, 'both')
    assert all(len(noisy.source[l]) == len(noisy.english[l]) == tt.lines(l) for l in tt.langs)
    assert noisy.source['amh'] != tt.source['amh'] and noisy.english['cmn'] != tt.english['cmn']

def test_mlqa_training_is_zero_shot_for_tatoeba(data_dir):
    train = ParallelCorpus.from_lareqa(load_lareqa('mlqa-r'))
    assert_zero_shot(train, load_tatoeba())
