"""Packaging, as a user meets it: the wheel built from this checkout carries clean metadata (an SPDX license, no
deprecated classifier, every extra inside `dev`), builds without setuptools warnings, and installed into a fresh
virtualenv (no checkout on the path, no development venv, an empty cache) gives a working `hybrid-nb`. nbdev never
overwrites the hand-written README. The fresh install takes about a minute (torch 2.13.0 comes from local disk)."""
import configparser, email, os, re, shlex, shutil, subprocess, sys, zipfile
from pathlib import Path
import pytest
from conftest import ROOT, run_cli

SETTINGS = configparser.ConfigParser(delimiters=['='])
SETTINGS.read(ROOT / 'settings.ini', encoding='utf-8')
CFG = SETTINGS['DEFAULT']
# the CPU build: a bare `torch` would pull a multi-GB CUDA build (the same pin as the Makefile)
TORCH = 'torch==2.13.0'
# modules that need an optional extra (module -> extra); the fresh install below has none of them
EXTRA_MODULES = {'st': 'st'}

def sh(*cmd, **kw) -> subprocess.CompletedProcess:
    "Run `cmd`, capturing stdout and stderr together as text."
    return subprocess.run([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)

def checkout_copy(dest: Path) -> Path:
    """The checkout's files (tracked, or untracked and not ignored) copied to `dest`: an in-tree build would reuse a
    stale `build/` folder, and would see ignored files that a fresh clone lacks."""
    names = sh('git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard', cwd=ROOT, check=True).stdout
    for name in filter(None, names.split('\0')):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            (dest / name).write_bytes(src.read_bytes())
    return dest

@pytest.fixture(scope='module')
def built(tmp_path_factory):
    "Build the wheel (as `pip install .` does: isolated build environment) from a copy of the checkout: (wheel, log, copy)."
    tmp = tmp_path_factory.mktemp('wheel')
    src = checkout_copy(tmp / 'src')
    r = sh(sys.executable, '-m', 'pip', 'wheel', '-v', '--no-deps', '-w', tmp / 'dist', src)
    assert r.returncode == 0, r.stdout[-3000:]
    (wheel,) = (tmp / 'dist').glob('hybrid_nb-*.whl')
    return wheel, r.stdout, src

def wheel_metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as z:
        (name,) = [n for n in z.namelist() if n.endswith('.dist-info/METADATA')]
        return email.message_from_bytes(z.read(name))

def setuptools_warnings(log: str) -> list[str]:
    """Warning lines of a verbose pip build log. pip 26 labels setuptools' notices BuildBackendWarning, pip 23
    InformationOnly; 'byte-compiling is disabled' only reports PYTHONDONTWRITEBYTECODE."""
    return [l for l in log.splitlines() if re.search(r'(?i)deprecat|BuildBackendWarning|SetuptoolsWarning|InformationOnly|warning:', l)
            and 'byte-compiling is disabled' not in l]

def test_build_prints_no_setuptools_warning(built):
    assert not setuptools_warnings(built[1]), '\n'.join(setuptools_warnings(built[1]))

def test_editable_install_prints_no_setuptools_warning(built, tmp_path):
    "What `make install` does (`pip install -e`, with this environment's pip), without dependencies, into a throwaway venv."
    assert sh(sys.executable, '-m', 'venv', '--without-pip', tmp_path / 'venv').returncode == 0
    r = sh(sys.executable, '-m', 'pip', '--python', tmp_path / 'venv' / 'bin' / 'python', 'install', '-v', '--no-deps', '-e', built[2])
    assert r.returncode == 0, r.stdout[-3000:]
    assert not setuptools_warnings(r.stdout), '\n'.join(setuptools_warnings(r.stdout))

def test_warning_filter_sees_the_warnings_our_metadata_used_to_cause():
    "The filter catches the warnings the license classifier and the implicit package_dir caused (lines copied from those builds)."
    for line in ("  .../setuptools/dist.py:765: BuildBackendWarning: License classifiers are deprecated.",
                 "  .../setuptools/command/editable_wheel.py:354: BuildBackendWarning: Editable installation.",
                 "  .../setuptools/command/editable_wheel.py:354: InformationOnly: Editable installation."):
        assert setuptools_warnings(line) == [line]
    assert setuptools_warnings("  warning: build_py: byte-compiling is disabled, skipping.") == []

def test_license_is_an_spdx_expression(built):
    meta = wheel_metadata(built[0])
    assert meta['License-Expression'] == 'Apache-2.0'
    assert not [c for c in meta.get_all('Classifier', []) if c.startswith('License ::')]
    assert meta['License-File'] == 'LICENSE'
    with zipfile.ZipFile(built[0]) as z:
        text = z.read(next(n for n in z.namelist() if n.endswith('/licenses/LICENSE'))).decode()
    assert 'Apache License' in text and 'Version 2.0' in text
    # nbdev's own key (used by its templates) names the same license
    assert CFG['license'] == 'apache2'

def test_wheel_holds_the_package_and_its_entry_point(built):
    wheel = built[0]
    meta = wheel_metadata(wheel)
    assert (meta['Name'], meta['Version']) == ('hybrid_nb', CFG['version'])
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        entry = z.read(next(n for n in names if n.endswith('.dist-info/entry_points.txt'))).decode()
    modules = {n for n in names if n.startswith('hybrid_nb/')}
    assert modules == {f'hybrid_nb/{p.name}' for p in (ROOT / 'hybrid_nb').glob('*.py')}
    assert not [n for n in names if not n.startswith(('hybrid_nb/', 'hybrid_nb-'))], 'only the package goes into the wheel'
    assert 'hybrid-nb = hybrid_nb.cli:main' in entry

def canon(req: str) -> str:
    "A requirement with its name normalised and its version clauses sorted, as setuptools writes it in METADATA."
    m = re.match(r'([A-Za-z0-9._-]+)(.*)', re.sub(r'\s', '', req))
    return re.sub(r'[-_.]+', '-', m.group(1)).lower() + ','.join(sorted(filter(None, m.group(2).split(','))))

def test_canon_matches_setuptools_spelling():
    assert canon('transformers>=4.40,<5') == canon('transformers<5,>=4.40')
    assert canon('pytrec_eval.terrier') == canon('pytrec-eval-terrier')
    assert canon('a==1') != canon('a==2')

def setup_kwargs(monkeypatch, tmp_path, extra_settings: str = '') -> dict:
    "What setup.py passes to `setuptools.setup`, run on settings.ini plus `extra_settings` lines."
    import runpy, setuptools
    (tmp_path / 'settings.ini').write_text((ROOT / 'settings.ini').read_text() + extra_settings)
    (tmp_path / 'README.md').write_text('# readme')
    got = {}
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(setuptools, 'setup', lambda **kw: got.update(kw))
    runpy.run_path(str(ROOT / 'setup.py'))
    return got

def test_each_requirements_key_is_an_extra_and_dev_holds_them_all(monkeypatch, tmp_path):
    """`make install` installs `.[dev]`: it must bring every optional extra the tests exercise. Each
    `<name>_requirements` key of settings.ini is the extra `<name>`; `dev` = dev_requirements + all of them."""
    kw = setup_kwargs(monkeypatch, tmp_path, 'extra_x_requirements = onnxruntime>=1.16 "optimum<2"\n'
                                             'pip_requirements = nbdev-only\n')
    ex = kw['extras_require']
    assert ex['extra_x'] == ['onnxruntime>=1.16', 'optimum<2']
    assert 'pip' not in ex and 'nbdev-only' not in ex['dev']      # nbdev's own key, not an extra
    assert ex['dev'] == shlex.split(CFG['dev_requirements']) + ex['all']
    assert set(ex['extra_x']) <= set(ex['all'])
    assert kw['install_requires'] == shlex.split(CFG['requirements'])

def test_wheel_declares_the_extras_of_settings(built):
    "The built wheel's METADATA holds what settings.ini says: requirements, and each extra inside dev."
    meta = wheel_metadata(built[0])
    by_extra = {}
    for r in meta.get_all('Requires-Dist', []):
        req, _, marker = r.partition(';')
        m = re.search(r'extra\s*==\s*"([^"]+)"', marker)
        by_extra.setdefault(m.group(1) if m else None, set()).add(canon(req))
    assert by_extra[None] == {canon(r) for r in shlex.split(CFG['requirements'])}
    names = [k[:-len('_requirements')] for k in CFG if k.endswith('_requirements')
             and k not in ('requirements', 'dev_requirements', 'pip_requirements', 'conda_requirements')]
    for name in names:
        assert by_extra[name] == {canon(r) for r in shlex.split(CFG[f'{name}_requirements'])}, name
        assert by_extra[name] <= by_extra['dev'], f"dev lacks the extra {name}"
    assert {canon(r) for r in shlex.split(CFG['dev_requirements'])} <= by_extra['dev']

def fresh_env(tmp: Path, data_dir: Path) -> dict:
    "A user's environment: no PYTHONPATH, no active venv, an empty hybrid_nb cache, the data from HYBRID_NB_DATA."
    env = {k: v for k, v in os.environ.items() if k not in ('PYTHONPATH', 'VIRTUAL_ENV', 'PYTHONHOME')}
    return {**env, 'HYBRID_NB_CACHE': str(tmp / 'cache'), 'HYBRID_NB_DATA': str(data_dir)}

def test_wheel_installs_into_a_fresh_venv_and_runs(built, data_dir, tmp_path):
    """`pip install <wheel> torch==2.13.0` into a new venv resolves every dependency from the wheel's own metadata
    (versions constrained to this environment's, so it resolves at once and tests what the other tests tested)."""
    wheel, venv, env = built[0], tmp_path / 'venv', fresh_env(tmp_path, data_dir)
    try: check_fresh_install(wheel, venv, env, data_dir, tmp_path)
    finally: shutil.rmtree(venv, ignore_errors=True)    # 1.7 GB; pytest would keep it among its last three tmp folders

def check_fresh_install(wheel: Path, venv: Path, env: dict, data_dir: Path, tmp_path: Path):
    assert sh(sys.executable, '-m', 'venv', venv, env=env).returncode == 0
    py, exe = venv / 'bin' / 'python', venv / 'bin' / 'hybrid-nb'
    frozen = sh(sys.executable, '-m', 'pip', 'freeze', '--exclude-editable', check=True).stdout.splitlines()
    constraints = tmp_path / 'constraints.txt'
    constraints.write_text('\n'.join(l for l in frozen if not re.match(r'(?i)(torch|hybrid[-_]nb)\b', l)) + '\n')
    r = sh(py, '-m', 'pip', 'install', '-q', '--no-compile', '-c', constraints, TORCH, wheel, cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stdout[-3000:]
    r = sh(py, '-m', 'pip', 'check', cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stdout
    # every module imports from the venv alone (a dependency missing from the metadata fails here), except those of
    # an optional extra, which say in one line what to install
    mods = sorted(p.stem for p in (ROOT / 'hybrid_nb').glob('*.py')
                  if not p.name.startswith('_') and p.stem not in EXTRA_MODULES)
    r = sh(py, '-c', f"import importlib, hybrid_nb; [importlib.import_module('hybrid_nb.' + m) for m in {mods!r}]; "
                     "print(hybrid_nb.__file__)", cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stdout[-3000:]
    assert Path(r.stdout.strip().splitlines()[-1]).is_relative_to(venv)
    for module, extra in EXTRA_MODULES.items():
        r = sh(py, '-c', f'import hybrid_nb.{module}', cwd=tmp_path, env=env)
        assert r.returncode == 1, r.stdout
        assert r.stdout.strip().splitlines()[-1].endswith(f'pip install "hybrid_nb[{extra}]"'), r.stdout
    assert sh(exe, '--version', cwd=tmp_path, env=env).stdout.strip() == f"hybrid-nb {CFG['version']}"
    stats = sh(exe, 'data', 'stats', cwd=tmp_path, env=env)
    assert stats.returncode == 0, stats.stdout
    # the installed command says exactly what the checkout's says
    assert stats.stdout == run_cli('data', 'stats', env={'HYBRID_NB_DATA': str(data_dir)}).stdout

def test_nbdev_never_overwrites_the_readme(monkeypatch):
    """README.md is written by hand. `readme_nb` names no notebook, so nbdev_prepare and nbdev_docs (which call
    nbdev_readme with chk_time) skip rendering it; with index.ipynb there they would replace it by a render of it."""
    import nbdev.quarto, nbdev.config
    assert not (ROOT / CFG['nbs_path'] / CFG['readme_nb']).exists()
    monkeypatch.chdir(ROOT)
    calls = []
    monkeypatch.setattr(nbdev.quarto, 'proc_nbs', lambda *a, **k: calls.append(a) or pytest.fail('README render began'))
    monkeypatch.setattr(nbdev.quarto, '_sprun', lambda *a, **k: calls.append(a) or pytest.fail('quarto was called'))
    before = (ROOT / 'README.md').read_bytes()
    nbdev.quarto.nbdev_readme.__wrapped__(chk_time=True)
    assert not calls and (ROOT / 'README.md').read_bytes() == before
