# environment of bench/gpu/study.sh: S holds caches, runs and logs (default .gpu_state); wheels carried to a machine without PyPI go to $S/site
S=${S:-$PWD/.gpu_state}
export PYTHONPATH=$S/site:$PWD HYBRID_NB_CACHE=${HYBRID_NB_CACHE:-$S/cache} HYBRID_NB_DATA=${HYBRID_NB_DATA:-$S/data} HF_HUB_OFFLINE=1
export OMP_WAIT_POLICY=PASSIVE PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=true
