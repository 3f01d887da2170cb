"End-to-end checks of `hybrid-nb data stats` as a user runs it, including every bad-input case of issue 2."
import json
from pathlib import Path
import pytest
from conftest import run_cli

XQUAD_R_CANDIDATES = dict(ar=1222, de=1276, el=1234, en=1180, es=1215, hi=1244, ru=1219, th=852, tr=1167, vi=1209, zh=1196)

def test_xquad_r_stats(data_dir):
    r = run_cli('data', 'stats', '--dataset', 'xquad-r', '--json')
    assert r.returncode == 0, r.stderr
    st = json.loads(r.stdout)['languages']
    assert {l: s['candidates'] for l, s in st.items()} == XQUAD_R_CANDIDATES
    assert all(s['questions'] == 1190 and s['relevant_min'] == s['relevant_max'] == 11 for s in st.values())

def test_mlqa_r_stats(data_dir):
    st = json.loads(run_cli('data', 'stats', '--dataset', 'mlqa-r', '--json').stdout)['languages']
    assert (st['en']['questions'], st['en']['candidates']) == (1148, 6264)
    assert all(s['relevant_min'] >= 2 and s['relevant_max'] <= 4 for s in st.values())

PARA = dict(context='One. Two.', sentence_breaks=[[0, 4], [5, 9]],
            qas=[dict(id='q1', question='?', answers=[dict(answer_start=5, text='Two')])])

@pytest.mark.parametrize('content, fault', [
    ('{"data": [', 'malformed JSON'),
    (json.dumps(dict(data=[dict(title='t', paragraphs=[dict(context='x', qas=[])])])), "no 'sentence_breaks'"),
    (json.dumps(dict(data=[dict(title='t', paragraphs=[dict(PARA, sentence_breaks=[[0, 4]])])])), 'outside every sentence break'),
])
def test_bad_file_one_line(tmp_path, content, fault):
    f = tmp_path / 'xquad-r' / 'en.json'; f.parent.mkdir(); f.write_text(content)
    r = run_cli('--data-dir', str(tmp_path), 'data', 'stats', '--langs', 'en')
    assert r.returncode == 2 and r.stdout == ''
    assert r.stderr.count('\n') == 1 and str(f) in r.stderr and fault in r.stderr, r.stderr

@pytest.mark.parametrize('args, fault', [
    (['data', 'stats', '--langs', 'en,xx'], "unknown language for xquad-r 'xx'"),
    (['data', 'stats', '--dataset', 'squad'], "unknown dataset 'squad'"),
])
def test_bad_argument_one_line(data_dir, args, fault):
    r = run_cli(*args)
    assert r.returncode == 2 and r.stderr.count('\n') == 1 and fault in r.stderr, r.stderr

def test_missing_data_offline(tmp_path):
    "No local copy and no network: one clear line naming the file and HYBRID_NB_DATA, quickly (no hang)."
    r = run_cli('data', 'stats', '--langs', 'en', env={'HYBRID_NB_DATA': '', 'HYBRID_NB_CACHE': str(tmp_path)}, timeout=120)
    assert r.returncode == 2 and 'xquad-r/en.json' in r.stderr and 'HYBRID_NB_DATA' in r.stderr, r.stderr


# --- Tatoeba (issue 9) -----------------------------------------------------------------------------------------

def test_tatoeba_stats_lists_112_languages(data_dir):
    r = run_cli('data', 'stats', '--dataset', 'tatoeba', '--json')
    assert r.returncode == 0, r.stderr
    st = json.loads(r.stdout)['languages']
    assert len(st) == 112 and list(st) == sorted(st)
    assert all(set(s) == {'name', 'script', 'joshi', 'tier', 'lines'} for s in st.values())
    assert st['amh'] == dict(name='Amharic', script='Ethiopic', joshi=2, tier='low', lines=168)
    assert (st['tha']['lines'], st['tha']['joshi'], st['cmn']['script']) == (548, 3, 'Han')
    assert sum(s['lines'] for s in st.values()) == 88877
    assert sorted(l for l, s in st.items() if s['joshi'] is None) == ['arq', 'max', 'orv', 'swg', 'tzl']
    assert sum(s['joshi'] is not None and s['joshi'] <= 2 for s in st.values()) == 55

def test_tatoeba_stats_table(data_dir):
    r = run_cli('data', 'stats', '--dataset', 'tatoeba', '--langs', 'swh,kab')
    assert r.returncode == 0, r.stderr
    rows = r.stdout.splitlines()
    assert rows[0].startswith('tatoeba: 2 languages') and len(rows) == 4
    assert rows[2].split() == ['kab', 'Kabyle', 'Latin', '1', 'low', '1000']
    assert rows[3].split() == ['swh', 'Swahili', 'Latin', '2', 'low', '390']

def _pair(root, code, src, eng):
    folder = root / 'tatoeba-laser'; folder.mkdir(exist_ok=True)
    paths = folder / f'tatoeba.{code}-eng.{code}', folder / f'tatoeba.{code}-eng.eng'
    for path, content in zip(paths, (src, eng)):
        if content is not None: path.write_bytes(content)
    return paths

@pytest.mark.parametrize('src, eng, bad_half, fault', [
    (b'one\ntwo\n', b'one\n', 0, 'has 2 lines but'),
    (b'one\n', None, 1, 'file not found'),
    (None, b'one\n', 0, 'file not found'),
    (b'', b'one\n', 0, 'empty file'),
    (b'\xff\xfe\n', b'one\n', 0, 'not UTF-8 text'),
])
def test_tatoeba_bad_pair_one_line(tmp_path, src, eng, bad_half, fault):
    paths = _pair(tmp_path, 'amh', src, eng)
    r = run_cli('--data-dir', str(tmp_path), 'data', 'stats', '--dataset', 'tatoeba', '--langs', 'amh')
    assert r.returncode == 2 and r.stdout == ''
    assert r.stderr.count('\n') == 1 and str(paths[bad_half]) in r.stderr and fault in r.stderr, r.stderr

def test_tatoeba_unknown_code_one_line(data_dir):
    r = run_cli('data', 'stats', '--dataset', 'tatoeba', '--langs', 'amh,xyz')
    assert r.returncode == 2 and r.stderr.count('\n') == 1, r.stderr
    assert "unknown Tatoeba language 'xyz'" in r.stderr and 'tatoeba.xyz-eng.xyz' in r.stderr
