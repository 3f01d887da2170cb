"""The documentation site (`make docs`, tools/build_docs.py) gives readable pages: the course map and one notebook page
are built into a temporary folder, opened in a real headless Chromium, and must show their prose, their executed
examples and the links of the course map."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                  '--disable-background-networking', '--disable-component-update', '--disable-sync']


def chromium() -> str:
    "Debian's Chromium; CI installs it (.ci/run), so there a missing browser fails the test instead of skipping it."
    exe = shutil.which('chromium') or shutil.which('chromium-browser')
    if exe:
        return exe
    if os.environ.get('CI'):
        pytest.fail('chromium is not installed: .ci/run installs it with apt-get install chromium')
    pytest.skip('chromium is not installed (apt-get install chromium); CI runs this test')


def rendered_text(exe: str, page: Path, profile: Path) -> str:
    "The text of `page` after Chromium has loaded it (its DOM, tags stripped)."
    run = subprocess.run([exe, *CHROMIUM_FLAGS, f'--user-data-dir={profile}', '--dump-dom', page.as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, f"chromium failed on {page.name}: {run.stderr[-500:]}"
    body = re.sub(r'<script.*?</script>|<style.*?</style>', ' ', run.stdout, flags=re.S)
    return re.sub(r'\s+', ' ', re.sub(r'<[^>]+>', ' ', body))


@pytest.fixture(scope='module')
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp('docs')
    env = {**os.environ, 'HYBRID_NB_RUNS': str(out / 'runs'), 'HYBRID_NB_CACHE': str(out / 'cache')}
    build = subprocess.run([sys.executable, str(ROOT / 'tools' / 'build_docs.py'), '--out', str(out / 'site'),
                            'index.ipynb', '00a_errors.ipynb'], capture_output=True, text=True, env=env, timeout=600)
    assert build.returncode == 0, build.stdout[-1000:] + build.stderr[-2000:]
    return out / 'site'


def test_course_map_page(site, tmp_path):
    text = rendered_text(chromium(), site / 'index.html', tmp_path / 'profile')
    assert 'In five lines' in text, text[:500]
    assert "'mono'" in text, 'the example on the index page has no executed output'
    assert 'The course, in reading order' in text
    assert 'nbs/00a_errors.ipynb' in text


def test_notebook_page(site, tmp_path):
    text = rendered_text(chromium(), site / '00a_errors.html', tmp_path / 'profile')
    assert len(text) > 500, f'00a_errors.html renders almost nothing: {text!r}'
    assert 'ConfigError' in text
    assert 'Course map' in text
    assert '#|' not in text, 'nbdev directives leak into the page'
