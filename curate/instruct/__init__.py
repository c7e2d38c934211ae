"""Instruction data from labelled Korean datasets (KIT-19's recipe): templates as data.

- ``spec``: a task file (``curate instruct TASKS.yaml``) and the task definitions it names
  (``rules/instruct/tasks/<task>.yaml``: fields, label mapping, templates), validated with the
  recipe's ``file:line: key`` errors.
- ``template``: Korean templates with ``{field}`` placeholders (and ``{field:이/가}`` particles)
  rendered as Polars expressions, one expression a template.
- ``source``: a task's files read through the decontamination readers (the Hugging Face on-disk
  layouts), split discipline (evaluation splits never become examples), fields and labels.
- ``select``: seeded caps per label and per task, balanced template choice.
- ``through_steps``: the examples' inputs through curate's own steps (PII, dedup,
  decontamination against the evaluation benchmarks).
- ``layouts``: chat ``messages``, Alpaca and prompt/completion, in Parquet and JSONL.
- ``report``: examples per task, template and label; prompt and answer lengths.
- ``build``: the whole run, as ``curate instruct`` does it.
"""
