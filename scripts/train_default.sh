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

$t2m data synth --out "$work/synth10k" --n 10000 --seed 7
$t2m data prepare "$work/synth10k" --out "$work/prepared128" --size 128
$t2m train tokenizer --data "$work/prepared128" --out "$work/tokenizer" --vocab-size 8000
# --resume continues a run's checkpoint when there is one (OUT/training/<stage>/checkpoint) and starts afresh otherwise
OMP_NUM_THREADS=${VQGAN_THREADS:-2} $t2m train vqgan --data "$work/prepared128" --out "$run" \
  --preset default --steps 1800 --batch-size 16 --lr 4e-4 --disc-start 1400 --seed 0 --resume
$t2m eval vqgan --data "$work/prepared128" --vqgan "$run" --json --out "$run/training/vqgan"
$t2m data extract-codes --data "$work/prepared128" --vqgan "$run" --out "$work/codes"
$t2m train dalle --codes "$work/codes" --data "$work/prepared128" --tokenizer "$work/tokenizer" \
  --out "$run" --preset default --steps "${DALLE_STEPS:-2400}" --batch-size 16 --lr 5e-4 --seed 0 \
  --vqgan "$run" --resume

# the shipped pipeline folder: model_index.json + the run's components, keeping the model cards
rm -rf "$default.new"
$t2m pipeline assemble "$run" --out "$default.new"
for part in vqgan dalle; do
  if [ -f "$default/$part/MODEL_CARD.md" ]; then cp "$default/$part/MODEL_CARD.md" "$default.new/$part/"; fi
done
rm -rf "$default" && mv "$default.new" "$default"
