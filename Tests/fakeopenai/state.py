"""The fake API's state: files, fine-tuning jobs advancing on a clock, events, checkpoints,
result files and models. Everything is deterministic: ids come from counters and the clock
either advances a fixed number of seconds per request ("requests" mode, for tests) or with
wall time times a speed factor ("wall" mode, for trying ftsh by hand).
"""
import base64
import json
import math
import threading
import time

EPOCH = 1767225600  # 2026-01-01T00:00:00Z
VALIDATE_SECONDS = 20
QUEUE_SECONDS = 20
STEP_SECONDS = 2
PAUSE_SECONDS = 4
BASE_MODELS = ["gpt-4o-mini-2024-07-18", "gpt-4o-2024-08-06", "gpt-4.1-2025-04-14", "gpt-4.1-mini-2025-04-14",
               "gpt-4.1-nano-2025-04-14", "gpt-3.5-turbo-0125", "babbage-002", "davinci-002"]
TERMINAL = ("succeeded", "failed", "cancelled")


class ApiError(Exception):
    def __init__(self, status, message, type_="invalid_request_error", param=None, code=None):
        super().__init__(message)
        self.status, self.message, self.type, self.param, self.code = status, message, type_, param, code

    def envelope(self):
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}


class Clock:
    def __init__(self, mode="requests", tick=3.0, speed=10.0):
        self.mode, self.tick, self.speed = mode, tick, speed
        self.offset = 0.0
        self.start = time.monotonic()

    def on_request(self):
        if self.mode == "requests":
            self.offset += self.tick

    def advance(self, seconds):
        self.offset += seconds

    def now(self):
        wall = (time.monotonic() - self.start) * self.speed if self.mode == "wall" else 0.0
        return EPOCH + int(self.offset + wall)


def loss_at(step, total, phase=0.0):
    """A smooth, decreasing, deterministic loss curve with a small wiggle."""
    return round(0.25 + 2.1 * math.exp(-4.0 * step / max(total, 1)) + 0.03 * math.sin(step * 1.7 + phase), 4)


class State:
    def __init__(self, clock, results_base64=True):
        self.clock = clock
        self.lock = threading.RLock()
        self.files, self.jobs, self.events, self.checkpoints = {}, {}, {}, {}
        self.deleted_models = set()
        self.counter = 0
        self.request_counter = 0
        self.results_base64 = results_base64

    def next_id(self, prefix, width=6):
        self.counter += 1
        return f"{prefix}{self.counter:0{width}d}"

    # files ---------------------------------------------------------------
    def add_file(self, filename, purpose, content):
        if purpose == "fine-tune" and not filename.endswith(".jsonl"):
            raise ApiError(400, f"Invalid file format for Fine-Tuning API. Must be .jsonl", param="file")
        fid = self.next_id("file-fake")
        self.files[fid] = {"meta": {"id": fid, "object": "file", "bytes": len(content), "created_at": self.clock.now(),
                                    "filename": filename, "purpose": purpose, "status": "processed"},
                           "content": content}
        return self.files[fid]["meta"]

    def file(self, fid):
        if fid not in self.files:
            raise ApiError(404, f"No such File object: {fid}", param="id", code=None)
        return self.files[fid]

    # jobs ----------------------------------------------------------------
    def create_job(self, body):
        model = body["model"]
        known = model in BASE_MODELS or any(j["fine_tuned_model"] == model for j in self.jobs.values())
        if not known or model in self.deleted_models:
            raise ApiError(400, f"Model {model} is not available for fine-tuning or does not exist.", param="model",
                           code="model_not_available")
        for key in ("training_file", "validation_file"):
            fid = body.get(key)
            if fid is None:
                continue
            if fid not in self.files:
                raise ApiError(400, f"invalid {key}: {fid}", param=key, code="invalid_file")
            if self.files[fid]["meta"]["purpose"] != "fine-tune":
                raise ApiError(400, f"File {fid} has purpose '{self.files[fid]['meta']['purpose']}', not 'fine-tune'.",
                               param=key)
        method = body.get("method") or {"type": "supervised"}
        mtype = method.get("type", "supervised")
        hp = dict((method.get(mtype) or {}).get("hyperparameters") or body.get("hyperparameters") or {})
        examples = len([ln for ln in self.files[body["training_file"]]["content"].splitlines() if ln.strip()])
        epochs = hp.get("n_epochs", "auto")
        epochs = 3 if epochs == "auto" else int(epochs)
        batch = hp.get("batch_size", "auto")
        batch = 1 if batch == "auto" else int(batch)
        resolved = {"n_epochs": epochs, "batch_size": batch,
                    "learning_rate_multiplier": 1.8 if hp.get("learning_rate_multiplier", "auto") == "auto"
                    else hp["learning_rate_multiplier"]}
        if mtype == "dpo":
            resolved["beta"] = 0.1 if hp.get("beta", "auto") == "auto" else hp["beta"]
        jid = self.next_id("ftjob-fake")
        now = self.clock.now()
        job = {"id": jid, "object": "fine_tuning.job", "created_at": now, "organization_id": "org-fake",
               "model": model, "training_file": body["training_file"], "validation_file": body.get("validation_file"),
               "fine_tuned_model": None, "finished_at": None, "error": None, "status": "validating_files",
               "hyperparameters": {"n_epochs": epochs, "batch_size": batch,
                                   "learning_rate_multiplier": resolved["learning_rate_multiplier"]},
               "method": {"type": mtype, mtype: {"hyperparameters": resolved}},
               "seed": body.get("seed", 42), "trained_tokens": None, "result_files": [], "integrations": [],
               "metadata": body.get("metadata"), "estimated_finish": None, "user_provided_suffix": body.get("suffix")}
        steps = max(1, math.ceil(examples / batch)) * epochs
        self.jobs[jid] = job
        self.events[jid] = []
        self.checkpoints[jid] = []
        job["_p"] = {"phase_start": now, "step": 0, "total": steps, "examples": examples,
                     "steps_per_epoch": max(1, math.ceil(examples / batch)), "epochs": epochs, "seq": 0}
        self.emit(job, now, f"Created fine-tuning job: {jid}")
        self.emit(job, now, f"Validating training file: {body['training_file']}"
                  + (f" and validation file: {body['validation_file']}" if body.get("validation_file") else ""))
        return job

    def emit(self, job, at, message, level="info", data=None):
        p = job["_p"]
        p["seq"] += 1
        ev = {"object": "fine_tuning.job.event", "id": f"ftevent-{job['id'][-6:]}-{p['seq']:05d}", "created_at": at,
              "level": level, "message": message, "type": "metrics" if data else "message"}
        if data is not None:
            ev["data"] = data
        self.events[job["id"]].append(ev)

    def training_problem(self, job):
        content = self.files[job["training_file"]]["content"]
        lines = [ln for ln in content.splitlines() if ln.strip()]
        for i, ln in enumerate(lines, 1):
            try:
                json.loads(ln)
            except ValueError:
                return f"The job failed due to an invalid training file. Invalid file format. Line {i} is not valid JSON."
        if len(lines) < 10:
            return f"The job failed due to an invalid training file. Training file has {len(lines)} example(s), but must have at least 10 examples."
        return None

    def advance(self, job):
        """Moves the job along to the clock's present."""
        now = self.clock.now()
        p = job["_p"]
        while True:
            st = job["status"]
            if st == "validating_files" and now >= p["phase_start"] + VALIDATE_SECONDS:
                at = p["phase_start"] + VALIDATE_SECONDS
                problem = self.training_problem(job)
                if problem:
                    job.update(status="failed", finished_at=at,
                               error={"code": "invalid_training_file", "message": problem, "param": "training_file"})
                    self.emit(job, at, problem, level="error")
                    return
                job["status"] = "queued"
                p["phase_start"] = at
                self.emit(job, at, "Files validated, moving job to queued state")
            elif st == "queued" and now >= p["phase_start"] + QUEUE_SECONDS:
                at = p["phase_start"] + QUEUE_SECONDS
                job["status"] = "running"
                p["phase_start"] = at
                job["estimated_finish"] = at + p["total"] * STEP_SECONDS
                self.emit(job, at, "Fine-tuning job started")
            elif st == "running":
                due = min(p["total"], (now - p["phase_start"]) // STEP_SECONDS)
                while p["step"] < due:
                    p["step"] += 1
                    self.run_step(job, p["phase_start"] + p["step"] * STEP_SECONDS)
                if p["step"] >= p["total"]:
                    self.finish(job, p["phase_start"] + p["total"] * STEP_SECONDS)
                return
            elif st == "pausing" and now >= p["pause_at"] + PAUSE_SECONDS:
                job["status"] = "paused"
                self.emit(job, p["pause_at"] + PAUSE_SECONDS, "Fine-tuning job paused")
                return
            else:
                return

    def run_step(self, job, at):
        p = job["_p"]
        s, total = p["step"], p["total"]
        data = {"step": s, "total_steps": total, "train_loss": loss_at(s, total),
                "train_mean_token_accuracy": round(min(0.99, 0.4 + 0.5 * s / total), 4)}
        msg = f"Step {s}/{total}: training loss={data['train_loss']:.2f}"
        if job["validation_file"] and (s % 5 == 0 or s == total):
            data["valid_loss"] = loss_at(s, total, phase=1.0) + 0.05
            data["valid_mean_token_accuracy"] = round(min(0.99, 0.35 + 0.5 * s / total), 4)
            msg += f", validation loss={data['valid_loss']:.2f}"
        self.emit(job, at, msg, data=data)
        p.setdefault("rows", []).append(data)
        epoch_end = s % p["steps_per_epoch"] == 0
        if epoch_end and s // p["steps_per_epoch"] > p["epochs"] - 3:
            suffix = job["user_provided_suffix"] or "fake"
            ck = {"object": "fine_tuning.job.checkpoint", "id": f"ftckpt-{job['id'][-6:]}-{s:05d}", "created_at": at,
                  "fine_tuned_model_checkpoint": f"ft:{job['model']}:org-fake:{suffix}:{job['id'][-6:]}:ckpt-step-{s}",
                  "fine_tuning_job_id": job["id"], "step_number": s,
                  "metrics": {"step": s, "train_loss": data["train_loss"],
                              "train_mean_token_accuracy": data["train_mean_token_accuracy"],
                              "valid_loss": data.get("valid_loss"), "valid_mean_token_accuracy": data.get("valid_mean_token_accuracy"),
                              "full_valid_loss": data.get("valid_loss"),
                              "full_valid_mean_token_accuracy": data.get("valid_mean_token_accuracy")}}
            self.checkpoints[job["id"]].append(ck)
            self.emit(job, at, f"Checkpoint created at step {s}")

    def finish(self, job, at):
        p = job["_p"]
        suffix = job["user_provided_suffix"] or "fake"
        job.update(status="succeeded", finished_at=at, estimated_finish=None,
                   fine_tuned_model=f"ft:{job['model']}:org-fake:{suffix}:{job['id'][-6:]}",
                   trained_tokens=p["examples"] * 40 * p["epochs"])
        rows = ["step,train_loss,train_accuracy,valid_loss,valid_mean_token_accuracy"]
        for d in p.get("rows", []):
            rows.append(f"{d['step']},{d['train_loss']},{d['train_mean_token_accuracy']},"
                        f"{d.get('valid_loss', '')},{d.get('valid_mean_token_accuracy', '')}")
        csv = ("\n".join(rows) + "\n").encode()
        content = base64.b64encode(csv) if self.results_base64 else csv
        meta = self.add_file("step_metrics.csv", "fine-tune-results", content)
        job["result_files"] = [meta["id"]]
        self.emit(job, at, f"New fine-tuned model created: {job['fine_tuned_model']}")
        self.emit(job, at, "The job has successfully completed")

    def job(self, jid):
        if jid not in self.jobs:
            raise ApiError(404, f"Could not find fine-tune: {jid}", param="fine_tuning_job_id", code="fine_tune_not_found")
        job = self.jobs[jid]
        self.advance(job)
        return job

    def cancel(self, jid):
        job = self.job(jid)
        if job["status"] in TERMINAL:
            raise ApiError(400, f"Job {jid} has already {job['status']}; it cannot be cancelled.", param="fine_tuning_job_id")
        job.update(status="cancelled", finished_at=self.clock.now())
        self.emit(job, self.clock.now(), "Fine-tuning job cancelled")
        return job

    def pause(self, jid):
        job = self.job(jid)
        if job["status"] != "running":
            raise ApiError(400, f"Job {jid} is {job['status']}; only a running job can be paused.", param="fine_tuning_job_id")
        job["status"] = "pausing"
        job["_p"]["pause_at"] = self.clock.now()
        self.emit(job, self.clock.now(), "Pausing fine-tuning job")
        return job

    def resume(self, jid):
        job = self.job(jid)
        if job["status"] not in ("paused", "pausing"):
            raise ApiError(400, f"Job {jid} is {job['status']}; only a paused job can be resumed.", param="fine_tuning_job_id")
        p = job["_p"]
        job["status"] = "running"
        p["phase_start"] = self.clock.now() - p["step"] * STEP_SECONDS
        self.emit(job, self.clock.now(), "Fine-tuning job resumed")
        return job

    def models(self):
        out = [{"id": m, "object": "model", "created": EPOCH - 86400 * 300, "owned_by": "system"}
               for m in BASE_MODELS if m not in self.deleted_models]
        for job in sorted(self.jobs.values(), key=lambda j: j["created_at"]):
            if job["fine_tuned_model"] and job["fine_tuned_model"] not in self.deleted_models:
                out.append({"id": job["fine_tuned_model"], "object": "model", "created": job["finished_at"],
                            "owned_by": "org-fake"})
        return out

    def model(self, mid):
        for m in self.models():
            if m["id"] == mid:
                return m
        raise ApiError(404, f"The model '{mid}' does not exist", param="model", code="model_not_found")

    def delete_model(self, mid):
        m = self.model(mid)
        if m["owned_by"] == "system":
            raise ApiError(403, "You have insufficient permissions for this operation.", type_="invalid_request_error",
                           code="insufficient_permissions")
        self.deleted_models.add(mid)
        return {"id": mid, "object": "model", "deleted": True}


def public(job):
    return {k: v for k, v in job.items() if not k.startswith("_")}


def paginate(items, after, limit, key="id"):
    """items in list order; `after` names the item the page starts after."""
    start = 0
    if after is not None:
        ids = [i[key] for i in items]
        if after in ids:
            start = ids.index(after) + 1
        else:
            start = len(items)
    page = items[start:start + limit]
    return page, start + limit < len(items)
