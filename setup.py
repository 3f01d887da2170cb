# nbdev 2 layout: the package metadata lives in settings.ini, the license (an SPDX expression) in pyproject.toml.
# Unlike nbdev's classic template this file does not import pkg_resources (gone from current setuptools).
from configparser import ConfigParser
import setuptools, shlex

cfg = ConfigParser(delimiters=['='])
cfg.read('settings.ini', encoding='utf-8')
cfg = cfg['DEFAULT']

def extras(cfg) -> dict:
    """Optional dependency sets: each `<name>_requirements` key of settings.ini is the extra `<name>`
    (`pip install "hybrid_nb[onnx]"`), except nbdev's own `pip_`/`conda_` keys. `dev` (what `make test` installs)
    holds dev_requirements plus every other extra, because the tests exercise all of them; `all` is every extra but dev."""
    special = {'requirements', 'dev_requirements', 'pip_requirements', 'conda_requirements'}
    out = {k[:-len('_requirements')]: shlex.split(v) for k, v in cfg.items() if k.endswith('_requirements') and k not in special}
    out['all'] = sorted({r for reqs in out.values() for r in reqs})
    out['dev'] = shlex.split(cfg.get('dev_requirements', '')) + out['all']
    return out

requirements = shlex.split(cfg.get('requirements', ''))
console_scripts = cfg.get('console_scripts', '').split()

setuptools.setup(
    name=cfg['lib_name'], version=cfg['version'], description=cfg['description'],
    author=cfg['author'], author_email=cfg['author_email'],
    keywords=cfg['keywords'].split(), url=cfg['git_url'],
    packages=setuptools.find_packages(include=['hybrid_nb', 'hybrid_nb.*']),
    # the package sits at the root: said explicitly, `pip install -e .` puts the root on sys.path with a plain .pth
    # file instead of an import hook that prints setuptools' 'Editable installation' warning at every install
    package_dir={'': '.'},
    include_package_data=True, python_requires='>=' + cfg['min_python'],
    install_requires=requirements, extras_require=extras(cfg),
    long_description=open('README.md', encoding='utf-8').read(), long_description_content_type='text/markdown',
    entry_points={'console_scripts': console_scripts, 'nbdev': [f"{cfg['lib_path']}={cfg['lib_path']}._modidx:d"]},
    # no license classifier: the SPDX expression in pyproject.toml replaces it (setuptools deprecates the classifier)
    classifiers=['Programming Language :: Python :: 3', 'Topic :: Scientific/Engineering :: Artificial Intelligence'],
    project_urls={'Source': cfg['git_url']},
    zip_safe=False)
