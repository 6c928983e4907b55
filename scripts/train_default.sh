#!/usr/bin/env bash
# Re-create the shipped default model from scratch on the synthetic corpus (CPU; see the model cards in
# src/text2montage/pretrained/default/ for the wall times measured on 2 cores). Each step resumes or skips
# finished work when re-run. Usage: bash scripts/train_default.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-work}
t2m=.venv/bin/text2montage
default=src/text2montage/pretrained/default

$t2m data synth --out "$work/synth10k" --n 10000 --seed 7
$t2m data prepare "$work/synth10k" --out "$work/prepared128" --size 128
$t2m train tokenizer --data "$work/prepared128" --out "$work/tokenizer" --vocab-size 8000
OMP_NUM_THREADS=${VQGAN_THREADS:-2} $t2m train vqgan --data "$work/prepared128" --out runs/vqgan \
  --preset default --steps 1800 --batch-size 16 --lr 4e-4 --disc-start 1400 --seed 0 \
  $( [ -d runs/vqgan/checkpoint ] && echo --resume )
$t2m eval vqgan --data "$work/prepared128" --model runs/vqgan/model --json --grid runs/vqgan/eval-grid.png
$t2m data extract-codes --data "$work/prepared128" --model runs/vqgan/model --out "$work/codes"
$t2m train dalle --codes "$work/codes" --data "$work/prepared128" --tokenizer "$work/tokenizer" \
  --out runs/dalle --preset default --steps "${DALLE_STEPS:-2400}" --batch-size 16 --lr 5e-4 --seed 0 \
  --vqgan runs/vqgan/model $( [ -d runs/dalle/checkpoint ] && echo --resume )

mkdir -p "$default"
rm -rf "$default/vqgan/"*.safetensors "$default/dalle" "$default/tokenizer"
cp runs/vqgan/model/config.json runs/vqgan/model/model.safetensors "$default/vqgan/"
cp -r runs/dalle/dalle "$default/dalle"
cp -r "$work/tokenizer" "$default/tokenizer"
