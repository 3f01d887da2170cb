import os, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]

@pytest.fixture(scope='session')
def data_dir():
    d = os.environ.get('HYBRID_NB_DATA')
    if not d or not Path(d, 'xquad-r').is_dir():
        pytest.fail('HYBRID_NB_DATA must point at a folder holding xquad-r/, mlqa-r/ and xquad/ (e.g. ../shared/data)')
    return Path(d)

def run_cli(*args, env=None, timeout=600):
    "Run the installed `hybrid-nb` console script; return the CompletedProcess."
    exe = shutil.which('hybrid-nb', path=str(Path(sys.executable).parent)) or 'hybrid-nb'
    return subprocess.run([exe, *args], capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=timeout)

@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    "A cache of the test's own (`HYBRID_NB_CACHE`, passed on by `run_cli`): the tiny model's exports stay out of the user's."
    d = tmp_path / 'cache'
    monkeypatch.setenv('HYBRID_NB_CACHE', str(d))
    return d
