"""Teaching the embedded model the four jobs: a LoRA adapter for Gemma 3 270M.

- :mod:`coach.training.generate` writes the examples (``coach/data/training/``) from hand-written
  building blocks; every example passes :func:`coach.checks.passes` and cites principle ids.
- :mod:`coach.training.train` (``coach train``, the ``train`` extra) trains the adapter and writes
  ``coach/data/adapter/coach-lora.gguf`` with ``adapter.json`` (checksum, data version, losses,
  time) and ``loss.svg``.
- :mod:`coach.training.measure` (``coach train measure``) compares base and tuned model on
  held-out inputs, and writes the side-by-side samples in ``evals/lora_samples.md``.

The embedded backend applies the adapter by default (``COACH_LORA_PATH`` to change it, empty or
``none`` to turn it off) and then renders the ``tuned`` prompts (``prompts/*.tuned.j2``).
"""
