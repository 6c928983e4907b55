"""The montage evaluation behind `text2montage eval`: does a montage show what the description says?

run.py        EvalOptions, run_evaluation: held-out records -> K candidates per description -> one report
signal.py     attribute signal retained (montage vs real-sketch ceiling vs a deranged control)
drawing.py    the one door to the generator (MontagePipeline.generate_codes + VQGAN decode), reranker pick
prose.py      the hand-written free-prose descriptions (free_prose.jsonl) and their target attributes
report.py     report.md, report.json, sample grids and per-field bar charts
"""
