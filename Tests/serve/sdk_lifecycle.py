#!/usr/bin/env python3
"""`ftsh serve` driven by the official OpenAI Python SDK, unchanged, and by ftsh's own job API
plugin (through OPENAI_BASE_URL): a whole lifecycle on a small model, a restart in the middle
of training, and bad requests.

    FTSH_BIN=.build/debug/ftsh python3 Tests/serve/sdk_lifecycle.py

Needs `pip install openai`. Prints one line per check and 'N passed, N failed' at the end.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import urllib.error
import urllib.request

import openai
from openai import OpenAI

FTSH = os.path.abspath(os.environ.get("FTSH_BIN", ".build/debug/ftsh"))
TOKEN = "sk-ftsh-serve-test"
passed, failed = 0, 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok    {name}")
    else:
        failed += 1
        print(f"FAIL  {name} {detail}")


def chat_lines(n):
    words = ["red", "blue", "green", "gold", "grey", "pink", "teal", "navy", "lime", "rose", "plum", "sand"]
    rows = []
    for i in range(n):
        w = words[i % len(words)]
        rows.append(json.dumps({"messages": [{"role": "user", "content": f"say {w}"},
                                             {"role": "assistant", "content": f"{w} {w}"}]}))
    return "\n".join(rows) + "\n"


class Server:
    """The ftsh binary serving on a free loopback port."""

    def __init__(self, data, base, extra=()):
        self.proc = subprocess.Popen([FTSH, "serve", "--port", "0", "--token", TOKEN, "--data-dir", data,
                                      "--model", f"test={base}", *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/v1", line)
        if not m:
            self.proc.kill()
            raise SystemExit(f"ftsh serve did not start: {line!r} {self.proc.stderr.read()}")
        self.url = f"http://127.0.0.1:{m.group(1)}/v1"
        self.client = OpenAI(api_key=TOKEN, base_url=self.url, max_retries=0)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdout, self.proc.stderr):
            stream.close()


def wait(client, job_id, statuses, polls=3000):
    for _ in range(polls):
        job = client.fine_tuning.jobs.retrieve(job_id)
        if job.status in statuses:
            return job
        time.sleep(0.02)
    return client.fine_tuning.jobs.retrieve(job_id)


def expect_error(name, call, kind, status):
    try:
        call()
    except kind as e:
        body = getattr(e, "body", None) or {}
        check(name, e.status_code == status and {"message", "type", "param", "code"} <= set(body), f"{e.status_code} {body}")
        return
    except Exception as e:  # noqa: BLE001
        check(name, False, f"raised {type(e).__name__}: {e}")
        return
    check(name, False, "no error")


def main():
    tmp = tempfile.mkdtemp(prefix="ftsh-serve-sdk-")
    try:
        run(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def run(tmp):
    base, data = os.path.join(tmp, "base"), os.path.join(tmp, "data")
    subprocess.run([FTSH, "-c", f"model new --layers 2 --heads 2 --dims 32 --context 128 --seed 1\nmodel save $_ {base}"],
                   check=True, stdout=subprocess.DEVNULL)
    train_path = os.path.join(tmp, "train.jsonl")
    with open(train_path, "w") as f:
        f.write(chat_lines(12))
    server = Server(data, base)
    c = server.client

    f = c.files.create(file=open(train_path, "rb"), purpose="fine-tune")
    check("files.create", f.id.startswith("file-") and f.purpose == "fine-tune" and f.bytes == os.path.getsize(train_path))
    check("files.list", any(x.id == f.id for x in c.files.list()))
    check("files.content", c.files.content(f.id).read() == open(train_path, "rb").read())

    # A long job keeps the trainer busy; the second one waits its turn behind it.
    long = c.fine_tuning.jobs.create(model="test", training_file=f.id,
                                     method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 50, "batch_size": 1}}})
    job = c.fine_tuning.jobs.create(model="test", training_file=f.id, suffix="sdk", seed=3,
                                    method={"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 2, "batch_size": 4}}})
    check("fine_tuning.jobs.create", job.id.startswith("ftjob-") and job.status == "validating_files")
    queued = wait(c, job.id, {"queued", "running", "succeeded", "failed"})
    check("job waits in the queue", queued.status == "queued", queued.status)
    paused = c.fine_tuning.jobs.pause(job.id)
    check("fine_tuning.jobs.pause", paused.status == "paused", paused.status)
    resumed = c.fine_tuning.jobs.resume(job.id)
    check("fine_tuning.jobs.resume", resumed.status == "queued", resumed.status)
    cancelled = c.fine_tuning.jobs.cancel(long.id)
    check("fine_tuning.jobs.cancel", cancelled.status == "cancelled")
    listed = [j.id for j in c.fine_tuning.jobs.list(limit=1)]
    check("fine_tuning.jobs.list pages through every job", listed == [job.id, long.id], listed)

    # A restart while the job is being validated, queued or trained loses nothing.
    server.stop()
    server = Server(data, base)
    c = server.client
    check("files survive a restart", c.files.retrieve(f.id).filename == "train.jsonl")
    done = wait(c, job.id, {"succeeded", "failed", "cancelled"})
    check("job succeeds after the restart", done.status == "succeeded", f"{done.status} {done.error}")
    check("fine_tuned_model id", done.fine_tuned_model == f"ft:test:ftsh:sdk:{job.id[-8:]}", done.fine_tuned_model)
    check("trained_tokens", (done.trained_tokens or 0) > 0)
    events = list(c.fine_tuning.jobs.list_events(job.id, limit=2))
    check("list_events, newest first, all pages",
          events[0].message == "The job has successfully completed" and events[-1].message.startswith("Created fine-tuning job"))
    metrics = [e for e in events if e.type == "metrics"]
    check("metrics events", len(metrics) == 6 and all("train_loss" in (e.data or {}) for e in metrics), len(metrics))
    ckpts = list(c.fine_tuning.jobs.checkpoints.list(job.id))
    check("checkpoints.list", [k.step_number for k in ckpts] == [6, 3], [k.step_number for k in ckpts])
    csv = c.files.content(done.result_files[0]).text.splitlines()
    check("result file", csv[0] == "step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy" and len(csv) == 7)
    check("models.list", any(m.id == done.fine_tuned_model for m in c.models.list()))
    answer = c.chat.completions.create(model=done.fine_tuned_model, messages=[{"role": "user", "content": "say red"}],
                                       max_completion_tokens=8, temperature=0)
    check("chat.completions.create with the fine-tuned model",
          answer.choices[0].message.role == "assistant" and answer.usage.completion_tokens >= 1)
    pieces = list(c.chat.completions.create(model=ckpts[-1].fine_tuned_model_checkpoint, stream=True, max_completion_tokens=6,
                                            messages=[{"role": "user", "content": "say blue"}]))
    check("streamed chat with a checkpoint", pieces and pieces[-1].choices[0].finish_reason in ("stop", "length"))

    # Bad requests get the API's errors, which the SDK raises as its exceptions.
    expect_error("unknown file id", lambda: c.fine_tuning.jobs.create(model="test", training_file="file-nope"),
                 openai.BadRequestError, 400)
    expect_error("missing model", lambda: c.fine_tuning.jobs.create(model="", training_file=f.id), openai.BadRequestError, 400)
    expect_error("unknown job", lambda: c.fine_tuning.jobs.retrieve("ftjob-nope"), openai.NotFoundError, 404)
    expect_error("wrong purpose", lambda: c.files.create(file=open(train_path, "rb"), purpose="homework"), openai.BadRequestError, 400)
    bad_key = OpenAI(api_key="wrong", base_url=server.url, max_retries=0)
    expect_error("wrong key", lambda: bad_key.models.list(), openai.AuthenticationError, 401)
    # The SDK always sends valid JSON; a raw request sends a broken body.
    req = urllib.request.Request(server.url + "/fine_tuning/jobs", data=b"{not json", method="POST",
                                 headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    try:
        urllib.request.urlopen(req)
        check("malformed JSON", False, "accepted")
    except urllib.error.HTTPError as e:
        body = json.loads(e.read())
        check("malformed JSON", e.code == 400 and body["error"]["code"] == "invalid_json", body)
    big = os.path.join(tmp, "big.jsonl")
    with open(big, "w") as out:
        out.write(chat_lines(1) * 30000)
    server.stop()
    server = Server(data, base, ["--max-upload-mb", "1"])
    c = server.client
    expect_error("oversized upload", lambda: c.files.create(file=open(big, "rb"), purpose="fine-tune"), openai.APIStatusError, 413)

    # ftsh's own job API plugin against the same server.
    env = dict(os.environ, OPENAI_BASE_URL=server.url, OPENAI_API_KEY=TOKEN)
    script = f"""set f = file upload {train_path}
set j = job create --model test --training-file $f.id --epochs 1 --batch-size 4 --suffix plugin
job watch $j.id --interval 0.05
set done = job get $j.id
echo $done.status $done.fine_tuned_model
"""
    out = subprocess.run([FTSH, "--norc", "-c", script], env=env, capture_output=True, text=True, timeout=600)
    last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    check("ftsh file upload / job create / job watch", out.returncode == 0 and re.fullmatch(r"succeeded ft:test:ftsh:plugin:\S{8}", last),
          f"status {out.returncode}: {out.stdout[-400:]} {out.stderr[-400:]}")
    server.stop()


if __name__ == "__main__":
    sys.exit(main())
