"The noise families of issue 29: each deterministic per seed, the script kept where it should be, romanized text Latin."
import unicodedata
import pytest
from hybrid_nb.data import load_lareqa
from hybrid_nb.noise import NOISE_KINDS, noisy_text, noisy_texts, noisy_lareqa, word_spans
from hybrid_nb.errors import DataError

@pytest.fixture(scope='module')
def questions(data_dir):
    xq = load_lareqa('xquad-r')
    return {l: [q.text for q in xq.questions[l][:25]] for l in xq.langs}

def scripts(text):
    return {unicodedata.name(c).split()[0] for c in text if unicodedata.category(c).startswith('L')}

@pytest.mark.parametrize('kind', NOISE_KINDS)
def test_deterministic_per_seed(questions, kind):
    for lang, texts in questions.items():
        assert noisy_texts(texts, lang, 0.3, 7, kind) == noisy_texts(texts, lang, 0.3, 7, kind)
    changed = [l for l, ts in questions.items() if noisy_texts(ts, l, 0.3, 1, kind) != noisy_texts(ts, l, 0.3, 2, kind)]
    assert len(changed) >= (5 if kind == 'romanize' else 9), changed   # romanize leaves Latin-script languages as they are

@pytest.mark.parametrize('kind', ['keyboard', 'diacritics'])
def test_script_kept(questions, kind):
    for lang, texts in questions.items():
        for clean, noisy in zip(texts, noisy_texts(texts, lang, 0.5, 0, kind)):
            assert scripts(noisy) <= scripts(clean), (lang, clean, noisy)

def test_romanized_text_is_latin(questions):
    for lang, texts in questions.items():
        for clean, noisy in zip(texts, noisy_texts(texts, lang, 1.0, 0, 'romanize')):
            assert scripts(noisy) <= {'LATIN'}, (lang, noisy)
            if scripts(clean) <= {'LATIN'}:
                assert noisy == clean   # the documented no-op on Latin script

def test_rate_is_a_share_of_words(questions):
    texts = questions['en']
    words = sum(len(word_spans(t, 'en')) for t in texts)
    touched = sum(a != b for t in texts for a, b in zip(t.split(), noisy_text(t, 'en', 0.4, 0, 'keyboard').split()))
    assert 0.25 * words <= touched <= 0.5 * words   # a typo may by chance leave a word as it was (never more than 0.4)

def test_unknown_kind_and_names(questions, data_dir):
    with pytest.raises(DataError, match="unknown noise kind 'typos'"):
        noisy_text('x', 'en', 0.1, 0, 'typos')
    assert noisy_lareqa(load_lareqa('xquad-r', ['en']), 0.1, kind='diacritics').name == 'xquad-r+diacritics0.1:queries'
