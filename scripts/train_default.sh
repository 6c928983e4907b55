#!/usr/bin/env bash
# Re-create the shipped default model from scratch on the synthetic corpus (CPU; see the model cards in
# src/text2montage/pretrained/default/ for the wall times measured on 2 cores). Each step resumes or skips
# finished work when re-run. Usage: bash scripts/train_default.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-work}
run=${RUN_DIR:-runs/default}  # one run folder for both stages: vqgan/, dalle/ and tokenizer/ as a pipeline holds them
t2m=.venv/bin/text2montage
default=src/text2montage/pretrained/default

# a finished corpus, dataset or tokenizer is kept (the commands refuse to write over one without --overwrite);
# an interrupted prepare resumes from its shards in $work/.prepared128.partial
[ -d "$work/synth10k" ] || $t2m data synth --out "$work/synth10k" --n 10000 --seed 7
[ -f "$work/prepared128/meta.json" ] || $t2m data prepare "$work/synth10k" --out "$work/prepared128" --size 128
[ -f "$work/tokenizer/tokenizer.json" ] || \
  $t2m train tokenizer --data "$work/prepared128" --out "$work/tokenizer" --vocab-size 8000
# --resume continues a run's checkpoint when there is one (OUT/training/<stage>/checkpoint) and starts afresh otherwise
OMP_NUM_THREADS=${VQGAN_THREADS:-2} $t2m train vqgan --data "$work/prepared128" --out "$run" \
  --preset default --steps 1800 --batch-size 16 --lr 4e-4 --disc-start 1400 --seed 0 --resume
$t2m eval vqgan --data "$work/prepared128" --vqgan "$run" --json --out "$run/training/vqgan"
$t2m data extract-codes --data "$work/prepared128" --vqgan "$run" --out "$work/codes"
# the transformer in two stages: short captions (a 48-token window, the previous default), then the
# whole-description window (224 tokens) starting from it
$t2m train dalle --codes "$work/codes" --data "$work/prepared128" --tokenizer "$work/tokenizer" \
  --out "$run/stage1" --preset default --text-len 48 --steps "${DALLE_STEPS:-3000}" --batch-size 16 \
  --lr 5e-4 --seed 0 --vqgan "$run" --resume
$t2m train dalle --codes "$work/codes" --data "$work/prepared128" --tokenizer "$work/tokenizer" \
  --out "$run" --preset default --text-len 224 --init-from "$run/stage1/dalle" --steps 900 \
  --batch-size 16 --lr 3e-4 --seed 0 --checkpoint-every 100 --eval-every 300 --resume
# the instruments: the attribute classifier (evaluation) and the reranker (ranking, FID features)
$t2m train attributes --data "$work/prepared128" --out "$run" --steps 3000 --resume
$t2m train reranker --data "$work/prepared128" --out "$run" --steps 1500 --batch-size 64 --lr 5e-4 --seed 0 --resume

# the shipped pipeline folder: model_index.json + the run's components, keeping the model cards
rm -rf "$default.new"
$t2m pipeline assemble "$run" --out "$default.new"
for part in vqgan dalle reranker attributes; do
  if [ -f "$default/$part/MODEL_CARD.md" ]; then cp "$default/$part/MODEL_CARD.md" "$default.new/$part/"; fi
done
rm -rf "$default" && mv "$default.new" "$default"
