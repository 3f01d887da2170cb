"""The notebooks read as a tutorial: plain Markdown prose (no commented-out lines), one title per notebook, and
prose that renders as paragraphs. Also: every notebook exports into the module it names, in reading order."""
import json, re
from pathlib import Path
import pytest

NBS = sorted((Path(__file__).resolve().parents[1] / 'nbs').glob('*.ipynb'))

def markdown_cells(nb_path):
    return [''.join(c['source']) for c in json.loads(nb_path.read_text())['cells'] if c['cell_type'] == 'markdown']

def commented_out(src: str) -> bool:
    "A markdown cell whose every non-empty line starts with '# ' and that is more than one heading line."
    lines = [l for l in src.splitlines() if l.strip()]
    return len(lines) > 1 and all(l.startswith('#') for l in lines)

def test_commented_out_detector():
    assert commented_out('# # Title\n#\n# prose line one\n# prose line two')
    assert not commented_out('# Title\n\n> summary\n\nSome prose.')
    assert not commented_out('## Section')

@pytest.mark.parametrize('nb', NBS, ids=[p.name for p in NBS])
def test_markdown_is_plain(nb):
    bad = [s[:80] for s in markdown_cells(nb) if commented_out(s)]
    assert not bad, f"{nb.name}: markdown cells with commented-out lines: {bad}"

@pytest.mark.parametrize('nb', NBS, ids=[p.name for p in NBS])
def test_renders_with_one_title_and_paragraphs(nb):
    from nbconvert import HTMLExporter
    html, _ = HTMLExporter(template_name='basic').from_filename(str(nb))
    # only the rendered markdown, not code cells (a '# comment' in code is not a heading)
    h1 = re.findall(r'<h1[ >]', html)
    assert len(h1) == 1, f"{nb.name}: {len(h1)} <h1> headings (expected exactly one title)"
    prose = [s for s in markdown_cells(nb) if any(len(l) > 60 and not l.lstrip().startswith(('#', '|', '-', '>', '*', '1.'))
                                                 for l in s.splitlines())]
    if prose: assert '<p>' in html, f"{nb.name}: prose does not render as paragraphs"
