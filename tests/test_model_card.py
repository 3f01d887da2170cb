"""Model folders explain themselves: a model the ablation trains and keeps carries a README.md model card (Hugging Face
front matter; method, ratio, source, seed, recipe; validation at save time and the run's evaluation headline) and
loads in sentence-transformers, which embeds as hybrid_nb does."""
import json
import numpy as np
import pytest
import yaml
from sentence_transformers import SentenceTransformer
from hybrid_nb.ablation import Experiment, run_experiment, headline
from hybrid_nb.model import load_model

pytestmark = pytest.mark.usefixtures('private_cache')   # the tiny model's exports go to the test's own cache

def test_kept_model_has_a_card_and_loads_in_sentence_transformers(tmp_path, data_dir):
    metrics = run_experiment(Experiment(ratio=0.25, profile='smoke', seed=2, run_dir=str(tmp_path), noise_rates=[0.0]),
                             keep_model=True, show_progress=False)
    folder = tmp_path / metrics['run_id'] / 'train' / 'model'
    card = (folder / 'README.md').read_text()
    front = yaml.safe_load(card.split('---')[1])
    assert front['library_name'] == 'sentence-transformers' and 'hybrid-batch-training' in front['tags']
    assert front['language'] == ['ar', 'de', 'en', 'es', 'hi', 'vi', 'zh'] and 'base_model' not in front   # tiny: no hub id
    assert '| ratio | 0.25 (probability of a monolingual batch' in card and '| seed | 2 |' in card
    assert '| training source | `mlqa-r`' in card and 'lr 3e-05' in card and 'temperature 0.05' in card
    val = metrics['train_summary']['best_val_map']
    assert f'mAP {val:.4f}.' in card and 'Validation at save time' in card
    assert f"- Evaluation (run `{metrics['run_id']}`): {headline(metrics)}." in card
    record = json.loads((folder / 'hybrid_nb.json').read_text())['history'][-1]
    assert record['evaluation']['run_id'] == metrics['run_id'] and record['validation']['map'] == val
    texts = ['Wer hat das Buch geschrieben?', 'Who wrote the book?']
    st_vectors = SentenceTransformer(str(folder), device='cpu').encode(texts, prompt_name='query')
    ours = load_model(str(folder), device='cpu').embed(texts, 'query').detach().cpu().numpy()
    np.testing.assert_allclose(st_vectors, ours, atol=1e-5)
