"""PEFT's prefix-tuning training step on SmolLM2-135M's shapes, timed (scripts/bench-vs-peft.sh runs it).

A LlamaForCausalLM with SmolLM2-135M's configuration and seeded random weights (timing only: the
numbers of a step do not depend on the weight values), PEFT prefix tuning with the MLP
(prefix_projection=True), AdamW on the prefix encoder; the batch is seeded random ids, no padding,
labels -100 on the first half of each sequence (prompt) and the ids on the second half (target),
as `prefixpack bench train` builds it. Prints one JSON object: the median wall and CPU seconds of
one step (forward + backward + optimizer step) after the warm-up steps.
"""
import argparse, json, resource, statistics, time, warnings

warnings.filterwarnings("ignore", category=FutureWarning)  # transformers' deprecation notices

import torch
from peft import PrefixTuningConfig, TaskType, get_peft_model
from transformers import LlamaConfig, LlamaForCausalLM

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--batch", type=int, default=8)
parser.add_argument("--tokens", type=int, default=64)
parser.add_argument("--prefix-length", type=int, default=10)
parser.add_argument("--hidden", type=int, default=512)
parser.add_argument("--steps", type=int, default=5)
parser.add_argument("--warmup", type=int, default=1)
parser.add_argument("--attn", default="sdpa", choices=["sdpa", "eager"])
args = parser.parse_args()

torch.set_num_threads(args.threads)
torch.manual_seed(0)
# SmolLM2-135M(-Instruct): the values `prefixpack inspect-model --json` reads from the GGUF.
config = LlamaConfig(
    vocab_size=49152, hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
    num_attention_heads=9, num_key_value_heads=3, head_dim=64, max_position_embeddings=8192,
    rms_norm_eps=1e-5, rope_theta=100000.0, tie_word_embeddings=True, hidden_act="silu",
    attn_implementation=args.attn)
model = LlamaForCausalLM(config).float().eval()  # eval: no dropout (prefixpack has none either)
peft_config = PrefixTuningConfig(
    task_type=TaskType.CAUSAL_LM, num_virtual_tokens=args.prefix_length,
    prefix_projection=True, encoder_hidden_size=args.hidden)
model = get_peft_model(model, peft_config)
optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=5e-4, weight_decay=0.0)

generator = torch.Generator().manual_seed(42)
ids = torch.randint(0, config.vocab_size, (args.batch, args.tokens), generator=generator)
labels = ids.clone()
labels[:, : args.tokens // 2] = -100
mask = torch.ones_like(ids)

walls, cpus, losses = [], [], []
for run in range(args.warmup + args.steps):
    w0, c0 = time.perf_counter(), time.process_time()
    optimizer.zero_grad(set_to_none=True)
    loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
    loss.backward()
    optimizer.step()
    w1, c1 = time.perf_counter(), time.process_time()
    losses.append(loss.item())
    if run >= args.warmup:
        walls.append(w1 - w0)
        cpus.append(c1 - c0)
print(json.dumps({
    "step_seconds": statistics.median(walls), "step_cpu_seconds": statistics.median(cpus),
    "step_seconds_all": walls, "losses": losses, "threads": torch.get_num_threads(),
    "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    "torch": torch.__version__, "attn": args.attn,
    "trainable_parameters": sum(p.numel() for p in model.parameters() if p.requires_grad)}))
