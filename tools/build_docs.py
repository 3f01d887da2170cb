"""Build the documentation site: every notebook of nbs/ executed (the cells `nbdev_test` runs, the same flags skipped)
and rendered to one HTML page in `_docs/`, with the course map (index.ipynb) as `index.html`.

nbdev renders its site with Quarto, but Quarto cannot be installed offline: `quarto-cli` on PyPI is a source package
whose build downloads the Quarto binary from GitHub, and neither Debian nor npm packages it. So this script keeps
nbdev's own notebook processing (`NBProcessor` and the directives `#| hide`, `#| eval: false`, the skip flags of
settings.ini) and renders with nbconvert, which the test tools already install. Where Quarto is installed,
`nbdev_docs` builds nbdev's usual site from the same notebooks.

Usage: python tools/build_docs.py [--out _docs] [--workers 2] [NOTEBOOK ...]   (names relative to nbs/)"""
import argparse
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT / 'nbs'


def skip_flags() -> set:
    "The test flags of settings.ini (`tst_flags`): cells marked with one are shown, not run, as in `nbdev_test`."
    from nbdev.config import get_config
    return set(get_config().get('tst_flags', '').split())


def not_run(cell, flags: set) -> bool:
    "Whether `cell` is left unexecuted: markdown, `nbdev_export()`, `#| eval: false` or a skip flag (nbdev.test)."
    if cell.cell_type != 'code':
        return True
    if 'nbdev_export' + '(' in cell.source:
        return True
    directives = getattr(cell, 'directives_', {}) or {}
    if directives.get('eval:', [''])[0].lower() == 'false':
        return True
    return bool(flags & directives.keys())


def execute(fn: Path):
    "The notebook `fn` processed by nbdev and executed in its folder; raises with the cell's traceback on an error."
    from execnb.shell import CaptureShell
    from nbdev.frontmatter import FrontmatterProc
    from nbdev.process import NBProcessor
    nb = NBProcessor(fn, procs=FrontmatterProc, process=True).nb
    main_module = sys.modules['__main__']   # IPython's shell installs its own: a worker's next task must find ours
    shell = CaptureShell(fn)
    flags = skip_flags()
    cwd = os.getcwd()
    os.chdir(fn.parent)
    try:
        shell.run_all(nb, exc_stop=True, preproc=lambda cell: not_run(cell, flags))
    except Exception as e:
        raise RuntimeError(f"{fn.name}: {shell.prettytb(fname=fn)}") from e
    finally:
        os.chdir(cwd)
        sys.modules['__main__'] = main_module
    return nb


def title(fn: Path) -> str:
    "The notebook's `# Title` (its first markdown heading), else its file name."
    for cell in json.loads(fn.read_text())['cells']:
        src = ''.join(cell['source'])
        if cell['cell_type'] == 'markdown' and src.startswith('# '):
            return src.splitlines()[0][2:].strip()
    return fn.stem


def page_name(fn: Path) -> str:
    return 'index.html' if fn.stem == 'index' else f'{fn.stem}.html'


def title_cell(nb) -> dict:
    "The page's heading from the notebook's front matter (nbdev turns `# Title` and `> description` into it)."
    fm = getattr(nb, 'frontmatter_', {}) or {}
    lines = [f"# {fm.get('title', '')}"] + ([f"> {fm['description']}"] if fm.get('description') else [])
    return dict(id='title', cell_type='markdown', metadata={}, source='\n\n'.join(lines))


def shown_cells(nb) -> list:
    "The cells a reader sees: `#| hide` cells and nbdev's front matter dropped, directive lines removed from the code."
    cells = [title_cell(nb)]
    for cell in nb.cells:
        directives = getattr(cell, 'directives_', {}) or {}
        if 'hide' in directives or (cell.cell_type == 'raw' and cell.source.startswith('---')):
            continue
        d = {k: v for k, v in cell.items() if not k.endswith('_')}
        d.setdefault('id', f'cell-{len(cells)}')
        if cell.cell_type == 'code':
            lines = d['source'].splitlines()
            d['source'] = '\n'.join(l for l in lines if not l.lstrip().startswith('#|')).strip('\n')
            if not d['source']:
                continue
        cells.append(d)
    return cells


def nav_cell(pages: list, i: int) -> dict:
    "A markdown cell linking the course map and the previous and next page (file order is reading order)."
    links = ['[Course map](index.html)']
    if i > 0:
        links.append(f'← [{pages[i - 1][1]}]({page_name(pages[i - 1][0])})')
    if i + 1 < len(pages):
        links.append(f'[{pages[i + 1][1]}]({page_name(pages[i + 1][0])}) →')
    return dict(id='nav', cell_type='markdown', metadata={}, source=' · '.join(links))


def course_map(pages: list) -> dict:
    "The index page's list of every page, in reading order."
    rows = [f'{n}. [{t}]({page_name(fn)}) (`nbs/{fn.name}`)' for n, (fn, t) in enumerate(pages, 1)]
    text = '## The course, in reading order\n\n' + '\n'.join(rows)
    return dict(id='course-map', cell_type='markdown', metadata={}, source=text)


def render(nb, cells: list, dest: Path) -> None:
    "Write `cells` (with the executed outputs) as one HTML page."
    import nbformat
    from nbconvert import HTMLExporter
    for cell in cells:
        cell.setdefault('metadata', {})
        if cell['cell_type'] == 'code':
            cell.setdefault('outputs', [])
            cell.setdefault('execution_count', None)
    # through JSON, as from a file: nbformat then joins the outputs' lists of lines into text
    raw = json.dumps(dict(nbformat=4, nbformat_minor=5, metadata=dict(nb.get('metadata', {})), cells=cells))
    doc = nbformat.reads(raw, as_version=4)
    exporter = HTMLExporter(template_name='lab', exclude_input_prompt=True, exclude_output_prompt=True)
    html, _ = exporter.from_notebook_node(doc)
    dest.write_text(html)


def build_page(fn: Path, pages: list, i: int, out: Path) -> str:
    "Execute and render one notebook; returns a progress line."
    t0 = time.time()
    nb = execute(fn)
    cells = [nav_cell(pages, i)] + shown_cells(nb)
    if fn.stem == 'index':
        cells.append(course_map([p for p in pages if p[0].stem != 'index']))
    render(nb, cells, out / page_name(fn))
    return f"{page_name(fn)}: {len(cells)} cells, {time.time() - t0:.1f} s"


def notebooks(names: list) -> list:
    "The notebooks to build, in file order (index first); `names` relative to nbs/, or all."
    files = [NBS / n for n in names] if names else sorted(NBS.glob('*.ipynb'))
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        sys.exit(f"build_docs: error: no such notebook: {', '.join(missing)}")
    return sorted(files, key=lambda f: (f.stem != 'index', f.name))


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('notebooks', nargs='*', help='notebooks relative to nbs/ (default: all)')
    ap.add_argument('--out', default=str(ROOT / '_docs'), help='output folder (default: _docs)')
    ap.add_argument('--workers', type=int, default=2, help='notebooks executed at once (default: 2)')
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    files = notebooks(args.notebooks)
    pages = [(fn, title(fn)) for fn in files]
    t0 = time.time()
    with ProcessPoolExecutor(max(1, args.workers)) as pool:
        jobs = [pool.submit(build_page, fn, pages, i, out) for i, fn in enumerate(files)]
        for n, job in enumerate(jobs, 1):
            print(f"[{n}/{len(jobs)}] {job.result()}", flush=True)
    print(f"{len(files)} pages in {out} ({time.time() - t0:.0f} s)")


if __name__ == '__main__':
    main()
