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
