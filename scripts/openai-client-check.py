#!/usr/bin/env python3
"""Real-client check of `prefixpack serve` with the official `openai` package (docs/serving.md).

Started by scripts/openai-client-check.sh (which makes the venv and the bundles):
    openai-client-check.py PREFIXPACK MODEL BUNDLES_DIR

Starts the server on a free loopback port with the bundles of BUNDLES_DIR, then checks:
models listed; greedy completion and chat per prefix equal `prefixpack generate`; streaming;
logprobs; n choices (greedy equal, seeded reproducible, streamed chat indexes); logit_bias forcing a
token and refusing an unknown id; penalties changing a greedy text; echo with logprobs, whole and streamed (the prompt
scored under the prefix, max_tokens 0 and 4); a prompt given as token ids;
16 concurrent requests over mixed prefixes equal their solo outputs; a client that disconnects
mid-stream leaves the server healthy and frees its slot; a non-streaming client that gives up
(openai's `timeout=`) frees its slot long before its max_tokens; bad requests get their statuses
(401, 400, 404, 413, 429 with Retry-After); SIGTERM drains a running stream and exits 0.
Exits 1 on the first failed check."""
import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import threading
import time

try:
    import httpx
except ImportError:  # openai 3.x depends on httpx2, the same API under a new name
    import httpx2 as httpx
import openai

BINARY, MODEL, BUNDLES = sys.argv[1:4]
KEY = "check-key"
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


def start_server(*extra):
    proc = subprocess.Popen([BINARY, "serve", "--model", MODEL, "--bundles", BUNDLES, "--port", "0", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    address = None
    deadline = time.time() + 180
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if "listening on " in line:
            address = line.strip().split("listening on ")[1]
        if line.startswith("serving "):
            break
    if address is None:
        proc.kill()
        sys.exit("server did not start: " + proc.stderr.read())
    threading.Thread(target=lambda: proc.stdout.read(), daemon=True).start()
    return proc, address


def generate(bundle, prompt, max_tokens, chat=False):
    args = [BINARY, "generate", "--model", MODEL, "--prompt", prompt, "--max-tokens", str(max_tokens)]
    if bundle:
        args += ["--bundle", os.path.join(BUNDLES, bundle + ".ptx")]
    if chat:
        args.append("--chat")
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return out[:-1] if out.endswith("\n") else out


def main():
    server, address = start_server("--api-key", KEY, "--max-batch", "8", "--max-body-bytes", "65536")
    base_url = address + "/v1"
    client = openai.OpenAI(base_url=base_url, api_key=KEY, max_retries=0, timeout=300)
    try:
        models = sorted(m.id for m in client.models.list().data)
        base = os.path.basename(MODEL).removesuffix(".gguf")
        check(models == sorted([base, "proj", "raw"]), f"models listed: {models}")

        for name in ["raw", "proj", None]:
            prompt = "name[The Vaults], eatType[pub] => "
            want = generate(name, prompt, 24)
            got = client.completions.create(model=name or base, prompt=prompt, max_tokens=24, temperature=0)
            check(got.choices[0].text == want, f"greedy completion {name or base} equals generate: {got.choices[0].text!r}")
            check(got.usage.completion_tokens > 0 and got.usage.total_tokens == got.usage.prompt_tokens + got.usage.completion_tokens,
                  f"usage {got.usage}")
        for name in ["raw", "proj"]:
            want = generate(name, "Name three colours.", 24, chat=True)
            got = client.chat.completions.create(model=name, messages=[{"role": "user", "content": "Name three colours."}],
                                                 max_tokens=24, temperature=0)
            check(got.choices[0].message.content == want, f"greedy chat {name} equals generate --chat: {got.choices[0].message.content!r}")

        whole = client.completions.create(model="raw", prompt="Once upon a time", max_tokens=20, temperature=0).choices[0].text
        pieces = [c.choices[0].text for c in client.completions.create(model="raw", prompt="Once upon a time", max_tokens=20,
                                                                        temperature=0, stream=True) if c.choices]
        check("".join(pieces) == whole and len(pieces) > 1, f"streamed completion ({len(pieces)} chunks) equals the whole one")
        chat_stream = client.chat.completions.create(model="proj", messages=[{"role": "user", "content": "Hi"}], max_tokens=12,
                                                     temperature=0, stream=True, stream_options={"include_usage": True})
        chunks = list(chat_stream)
        check(chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0, "chat stream ends with a usage chunk")

        # logprobs through the client's typed objects; greedy's chosen token is the top-1.
        got = client.completions.create(model="raw", prompt="Once upon a time", max_tokens=8, temperature=0, logprobs=3)
        lp = got.choices[0].logprobs
        n = got.usage.completion_tokens
        check(got.choices[0].text == whole[:len(got.choices[0].text)], "completion with logprobs has the same greedy text")
        check(len(lp.tokens) == len(lp.token_logprobs) == len(lp.top_logprobs) == len(lp.text_offset) == n
              and all(len(t) == 3 for t in lp.top_logprobs) and all(x <= 0 for x in lp.token_logprobs)
              and lp.text_offset[0] == 0 and all(a <= b for a, b in zip(lp.text_offset, lp.text_offset[1:])),
              f"completion logprobs shape: {n} tokens, top {[len(t) for t in lp.top_logprobs]}, offsets {lp.text_offset}")
        check(all(max(t.values()) == x and t.get(tok) == x for tok, x, t in zip(lp.tokens, lp.token_logprobs, lp.top_logprobs)),
              f"greedy completion token is the top-1: {list(zip(lp.tokens, lp.token_logprobs))[:3]}")
        got = client.chat.completions.create(model="proj", messages=[{"role": "user", "content": "Name three colours."}],
                                             max_tokens=8, temperature=0, logprobs=True, top_logprobs=2)
        content = got.choices[0].logprobs.content
        check(len(content) == got.usage.completion_tokens
              and all(len(c.top_logprobs) == 2 and c.logprob <= 0 and bytes(c.bytes).decode("utf-8", "replace") == c.token
                      for c in content) and bytes(b for c in content for b in c.bytes).decode("utf-8", "replace") == got.choices[0].message.content,
              f"chat logprobs shape: {len(content)} tokens, bytes join to the content")
        check(all(c.top_logprobs[0].token == c.token and c.top_logprobs[0].logprob == c.logprob for c in content),
              f"greedy chat token is the top-1: {[(c.token, round(c.logprob, 4)) for c in content[:3]]}")
        streamed = [c.choices[0].logprobs for c in client.chat.completions.create(
            model="proj", messages=[{"role": "user", "content": "Name three colours."}], max_tokens=8, temperature=0,
            logprobs=True, top_logprobs=2, stream=True) if c.choices and c.choices[0].logprobs]
        check([t.token for s in streamed for t in s.content] == [t.token for t in content], "streamed chat logprobs equal the whole ones")
        # echo: the prompt scored under the prefix (lm-evaluation-harness's log-likelihood requests).
        prompt = "The capital of France is Paris. The capital of Italy is Rome."
        scored = client.completions.create(model="raw", prompt=prompt, echo=True, logprobs=1, max_tokens=0)
        lp = scored.choices[0].logprobs
        bos = len(lp.tokens) > 1 and lp.text_offset[:2] == [0, 0]  # a BOS the server added (SmolLM2 adds none)
        check(scored.choices[0].text == prompt and scored.choices[0].finish_reason == "length"
              and scored.usage.completion_tokens == 0 and len(lp.tokens) == scored.usage.prompt_tokens
              and "".join(lp.tokens[1:] if bos else lp.tokens) == prompt,
              f"echo max_tokens 0: the prompt, one entry per prompt token ({len(lp.tokens)}, BOS {bos})")
        check(lp.token_logprobs[0] is None and lp.top_logprobs[0] is None
              and all(x is not None and -1e4 < x <= 0 for x in lp.token_logprobs[1:])
              and all(len(t) == 1 and max(t.values()) >= x for t, x in zip(lp.top_logprobs[1:], lp.token_logprobs[1:])),
              f"echo logprobs: first null, the rest finite and <= 0: {[round(x, 3) for x in lp.token_logprobs[1:6]]}")
        other = client.completions.create(model="proj", prompt=prompt, echo=True, logprobs=1, max_tokens=0).choices[0].logprobs
        check(other.tokens == lp.tokens and other.token_logprobs[1:] != lp.token_logprobs[1:],
              f"echo logprobs depend on the prefix: raw {sum(lp.token_logprobs[1:]):.3f}, proj {sum(other.token_logprobs[1:]):.3f}")
        plain = client.completions.create(model="raw", prompt=prompt, max_tokens=4, temperature=0, logprobs=1)
        echoed = client.completions.create(model="raw", prompt=prompt, max_tokens=4, temperature=0, logprobs=1, echo=True)
        n = len(lp.tokens)
        check(echoed.choices[0].text == prompt + plain.choices[0].text
              and echoed.choices[0].logprobs.token_logprobs[:n] == lp.token_logprobs
              and echoed.choices[0].logprobs.token_logprobs[n:] == plain.choices[0].logprobs.token_logprobs,
              f"echo max_tokens 4: prompt + the same greedy completion, same values: {echoed.choices[0].text[len(prompt):]!r}")
        streamed_text, streamed_values = "", []
        for chunk in client.completions.create(model="raw", prompt=prompt, max_tokens=4, temperature=0, logprobs=1,
                                               echo=True, stream=True):
            for choice in chunk.choices:
                streamed_text += choice.text
                if choice.logprobs is not None:
                    streamed_values += choice.logprobs.token_logprobs
        check(streamed_text == echoed.choices[0].text and streamed_values == echoed.choices[0].logprobs.token_logprobs,
              f"echo with stream: the same prompt + completion and values as the whole response ({len(streamed_values)} entries)")


        # n choices, logit_bias and penalties through the client's typed parameters.
        three = client.completions.create(model="raw", prompt="Once upon a time", max_tokens=20, temperature=0, n=3)
        check([c.index for c in three.choices] == [0, 1, 2] and all(c.text == whole for c in three.choices)
              and three.usage.completion_tokens == 3 * client.completions.create(
                  model="raw", prompt="Once upon a time", max_tokens=20, temperature=0).usage.completion_tokens,
              f"n=3 greedy completion: 3 choices equal to the n=1 answer, usage summed ({three.usage})")
        seeded = [client.completions.create(model="raw", prompt="Write a story.", max_tokens=16, temperature=1.0, seed=7, n=3)
                  for _ in range(2)]
        texts = [[c.text for c in r.choices] for r in seeded]
        check(texts[0] == texts[1] and len(set(texts[0])) > 1, f"n=3 with a seed: reproducible, choices differ: {texts[0]}")
        # Several prompts in one request (lm-evaluation-harness with batch_size > 1): choice i is prompt i's.
        pair = ["Once upon a time", "The capital of France is"]
        alone = [client.completions.create(model="raw", prompt=p, max_tokens=12, temperature=0) for p in pair]
        both = client.completions.create(model="raw", prompt=pair, max_tokens=12, temperature=0)
        check([c.index for c in both.choices] == [0, 1] and [c.text for c in both.choices] == [a.choices[0].text for a in alone]
              and both.usage.prompt_tokens == sum(a.usage.prompt_tokens for a in alone),
              f"a list of two prompts: each the greedy text of its own request, usage summed ({[c.text for c in both.choices]})")
        indexes = {}
        for chunk in client.chat.completions.create(model="proj", messages=[{"role": "user", "content": "Hi"}], max_tokens=8,
                                                    temperature=0, n=2, stream=True):
            for c in chunk.choices:
                indexes.setdefault(c.index, []).append(c.finish_reason)
        check(sorted(indexes) == [0, 1] and all(sum(r is not None for r in v) == 1 for v in indexes.values()),
              f"n=2 chat stream: chunks of both choices, one finish each ({ {k: len(v) for k, v in indexes.items()} })")
        ids = json.loads(subprocess.run([BINARY, "tokenize", "--model", MODEL, "--text", " banana", "--json"],
                                        capture_output=True, text=True, check=True).stdout)
        forced = ids["ids"][0]
        got = client.completions.create(model="raw", prompt="Once upon a time", max_tokens=4, temperature=0, logprobs=0,
                                        logit_bias={str(forced): 100})
        piece = ids["pieces"][0].replace("\u0120", " ")
        check(got.choices[0].logprobs.tokens == [piece] * 4, f"logit_bias +100 on {forced} ({piece!r}) forces it: {got.choices[0].text!r}")
        # A prompt given as token ids (lm-evaluation-harness's default): fed as given, the same greedy text.
        story = json.loads(subprocess.run([BINARY, "tokenize", "--model", MODEL, "--text", "Once upon a time", "--json"],
                                          capture_output=True, text=True, check=True).stdout)["ids"]
        by_ids = client.completions.create(model="raw", prompt=story, max_tokens=20, temperature=0)
        check(by_ids.choices[0].text == whole and by_ids.usage.prompt_tokens == len(story),
              f"prompt as {len(story)} token ids gives the text prompt's completion")
        try:
            client.completions.create(model="raw", prompt="x", max_tokens=2, logit_bias={"99999999": 1})
            check(False, "logit_bias id beyond the vocabulary refused")
        except openai.BadRequestError as e:
            check(e.body.get("param") == "logit_bias", f"logit_bias id beyond the vocabulary refused: {e.body.get('message')}")
        plain = client.completions.create(model="raw", prompt="Count: one, two, one, two,", max_tokens=24, temperature=0,
                                          extra_body={"ignore_eos": True}).choices[0].text
        penalized = client.completions.create(model="raw", prompt="Count: one, two, one, two,", max_tokens=24, temperature=0,
                                              frequency_penalty=1.5, presence_penalty=0.5, extra_body={"ignore_eos": True})
        check(penalized.usage.completion_tokens == 24 and penalized.choices[0].text != plain,
              f"penalties accepted and change the greedy text: {plain!r} -> {penalized.choices[0].text!r}")

        prompts = ["The capital of France is", "List the planets:", "Translate 'cat' to French:", "2 + 2 ="]
        jobs = [(["raw", "proj", base][i % 3], prompts[i % 4]) for i in range(16)]
        solo = {}
        for job in set(jobs):
            solo[job] = client.completions.create(model=job[0], prompt=job[1], max_tokens=16, temperature=0).choices[0].text
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            results = list(pool.map(lambda j: client.completions.create(model=j[0], prompt=j[1], max_tokens=16,
                                                                         temperature=0).choices[0].text, jobs))
        same = sum(r == solo[j] for r, j in zip(results, jobs))
        check(same == 16, f"16 concurrent mixed-prefix requests equal their solo outputs ({same}/16)")

        stream = client.completions.create(model="raw", prompt="Write a long story.", max_tokens=400, temperature=0.8, stream=True)
        next(iter(stream))
        stream.close()
        health = {}
        for _ in range(200):
            health = httpx.get(address + "/health").json()
            if health["running"] == 0:
                break
            time.sleep(0.1)
        check(health.get("running") == 0 and health.get("status") == "ok", f"disconnect mid-stream frees the slot: {health}")

        # A non-streaming client that gives up (openai's timeout closes the connection): the
        # request would run 2000 tokens (ignore_eos) but leaves the batch once the socket closes.
        def generated_tokens():
            text = httpx.get(address + "/metrics", headers={"Authorization": "Bearer " + KEY}).text
            return int(next(l for l in text.splitlines() if l.startswith("prefixpack_generated_tokens_total ")).split()[-1])
        before = generated_tokens()
        impatient = openai.OpenAI(base_url=base_url, api_key=KEY, max_retries=0, timeout=1.0)
        try:
            impatient.completions.create(model="raw", prompt="Write a long story.", max_tokens=2000, temperature=0.8,
                                         extra_body={"ignore_eos": True})
            check(False, "a 2000-token request gives up after the client's 1 s timeout")
        except openai.APITimeoutError:
            check(True, "a 2000-token request gives up after the client's 1 s timeout")
        for _ in range(50):
            health = httpx.get(address + "/health").json()
            if health["running"] == 0:
                break
            time.sleep(0.1)
        spent = generated_tokens() - before
        check(health.get("running") == 0 and spent < 2000,
              f"non-streaming client that timed out frees its slot: {health}, {spent} of 2000 tokens generated")
        after = client.completions.create(model="raw", prompt="Hi", max_tokens=3, temperature=0)
        check(after.usage.completion_tokens > 0, "the server still answers after the abandoned request")

        check(httpx.get(base_url + "/models").status_code == 401, "no key: 401")
        check(httpx.get(base_url + "/models", headers={"Authorization": "Bearer wrong"}).status_code == 401, "wrong key: 401")
        auth = {"Authorization": "Bearer " + KEY, "Content-Type": "application/json"}
        r = httpx.post(base_url + "/completions", headers=auth, content=b'{"model": "raw", "prompt": ')
        check(r.status_code == 400 and r.json()["error"]["code"] == "invalid_json", f"malformed JSON: {r.status_code}")
        r = httpx.post(base_url + "/completions", headers=auth, json={"model": "raw", "prompt": "x", "temperature": "hot"})
        check(r.status_code == 400 and r.json()["error"]["param"] == "temperature", f"bad field: {r.status_code} {r.text}")
        try:
            client.completions.create(model="nope", prompt="x")
            check(False, "unknown model: 404")
        except openai.NotFoundError:
            check(True, "unknown model: 404")
        try:
            client.completions.create(model="raw", prompt="word " * 9000, max_tokens=10)
            check(False, "prompt beyond the context: 400")
        except openai.BadRequestError as e:
            check(e.body["code"] in ("context_length_exceeded",), f"prompt beyond the context: 400 {e.body['code']}")
        r = httpx.post(base_url + "/completions", headers=auth, content=json.dumps({"model": "raw", "prompt": "x" * 70000}))
        check(r.status_code == 413, f"body too large: {r.status_code}")
        r = httpx.post(base_url + "/prefixes", headers=auth, json={"name": "../raw.ptx"})
        check(r.status_code == 400, f"admin load outside the directory: {r.status_code}")
        r = httpx.delete(base_url + "/prefixes/proj", headers=auth)
        check(r.status_code == 200, f"unload proj: {r.status_code}")
        try:
            client.completions.create(model="proj", prompt="x", max_tokens=2)
            check(False, "unloaded prefix: 404")
        except openai.NotFoundError:
            check(True, "unloaded prefix: 404")
        r = httpx.post(base_url + "/prefixes", headers=auth, json={"name": "proj.ptx"})
        check(r.status_code == 200 and client.completions.create(model="proj", prompt="x", max_tokens=2).usage.completion_tokens >= 0,
              f"reload proj: {r.status_code}")
        metrics = httpx.get(address + "/metrics", headers=auth).text
        check('prefixpack_requests_total{model="raw"}' in metrics and "prefixpack_time_to_first_token_seconds_bucket" in metrics,
              "metrics list per-prefix requests and TTFT")
    finally:
        server.terminate()
        server.wait(timeout=60)

    small, address = start_server("--max-batch", "1", "--max-queue", "1", "--drain-timeout", "60")
    try:
        def post():
            return httpx.post(address + "/v1/completions", json={"model": "raw", "prompt": "Count to fifty:", "max_tokens": 48},
                              timeout=300)
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            responses = list(pool.map(lambda _: post(), range(4)))
        limited = [r for r in responses if r.status_code == 429]
        check(limited and all(r.headers.get("retry-after") == "1" and r.json()["error"]["type"] == "rate_limit_error" for r in limited),
              f"queue full: 429 with Retry-After ({[r.status_code for r in responses]})")

        result = {}
        def stream_until_done():
            with httpx.stream("POST", address + "/v1/completions", timeout=300,
                              json={"model": "raw", "prompt": "Count to fifty:", "max_tokens": 40, "stream": True}) as r:
                result["body"] = "".join(r.iter_text())
        reader = threading.Thread(target=stream_until_done)
        reader.start()
        time.sleep(1.0)
        small.send_signal(signal.SIGTERM)
        reader.join(timeout=120)
        code = small.wait(timeout=120)
        check(result.get("body", "").rstrip().endswith("data: [DONE]") and code == 0,
              f"SIGTERM lets the running stream finish, then exits {code}")
    finally:
        if small.poll() is None:
            small.kill()

    print(f"{len(failures)} failed check(s)" if failures else "all checks passed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
