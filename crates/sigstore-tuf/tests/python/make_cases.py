#!/usr/bin/env python3
"""TUF client test cases made with python-tuf's Metadata API (the reference implementation).

usage: make_cases.py OUT_DIR [--check]

Each case is a sequence of repository states that a client sees in turn, all signed by keys
this script keeps for the whole case (so versions can move forwards and backwards):

  OUT_DIR/cases.json                    {"cases": [NAME, ...]}
  OUT_DIR/NAME/bootstrap.root.json      the root the client starts from
  OUT_DIR/NAME/stepK/metadata/...       what the repository serves at step K (metadata base)
  OUT_DIR/NAME/stepK/targets/...        what it serves below <base>/targets/
  OUT_DIR/NAME/expect.json              the outcome of every step:

  {"name", "description", "bootstrap": "bootstrap.root.json",
   "limits": {"root"|"timestamp"|"snapshot"|"targets": BYTES, ...}   (optional, else defaults)
   "steps": [{"dir": "stepK", "now": RFC 3339 UTC time of the client's clock,
              "fetch": {TARGET NAME: SHA-256 hex of the content the client must return},
              "endless": [request paths served as an endless body, e.g. "timestamp.json"],
              "expect": "ok" | {"error": KIND, "role": ROLE or null, "message": SUBSTRING},
              "root_version": trusted root version after an "ok" step (optional)}]}

A client runs every step with one cache directory kept across the steps of a case: refresh
at "now", then download and check each target of "fetch". KIND is one of expired, rollback,
version (a version other than the one required), signatures (threshold not met), hash
(metadata length or hash differs from the listed one), target_hash, too_large, missing_meta,
transport (a file the metadata names is not served). ROLE names the top-level role at fault;
MESSAGE must appear in the client's error message.

--check runs python-tuf's own client (ngclient.Updater, with its clock set to each step's
"now" and a fetcher reading the step directory) over every case and fails unless it agrees
with every expectation.
"""

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import sys
import tempfile
import types
from urllib.parse import unquote

from securesystemslib.signer import CryptoSigner
from tuf.api import exceptions as tuf_errors
from tuf.api.metadata import Metadata, MetaFile, Root, Snapshot, TargetFile, Targets, Timestamp
from tuf.api.serialization.json import JSONSerializer

UTC = dt.timezone.utc
T0 = dt.datetime(2030, 1, 1, tzinfo=UTC)
FAR = dt.datetime(2040, 1, 1, tzinfo=UTC)
ROLES = ("root", "timestamp", "snapshot", "targets")
SER = JSONSerializer(compact=False)
BASE = "http://repo.invalid/"


def day(n):
    return T0 + dt.timedelta(days=n)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def new_key(kind="ecdsa"):
    return CryptoSigner.generate_ed25519() if kind == "ed25519" else CryptoSigner.generate_ecdsa()


def sign(signed, signers):
    md = Metadata(signed)
    for i, s in enumerate(signers):
        md.sign(s, append=i > 0)
    return md.to_bytes(SER)


def pad(data, size):
    """Valid JSON of exactly `size` bytes (trailing whitespace; the signature still verifies)."""
    assert len(data) <= size
    return data + b" " * (size - len(data))


def substituted(make_state, name, make_other):
    """A state from `make_state()` whose file `name` is replaced by another validly signed file
    from `make_other()`, padded to the genuine file's length so only hashes tell them apart
    (ECDSA signatures vary in length, so both are remade until the other is not longer)."""
    for _ in range(100):
        state, other = make_state(), make_other()
        if len(other) <= len(state.meta[name]):
            state.meta[name] = pad(other, len(state.meta[name]))
            return state
    raise RuntimeError("cannot make a substitute as short as the genuine file")


def dedupe(signers):
    seen, out = set(), []
    for s in signers:
        if s.public_key.keyid not in seen:
            seen.add(s.public_key.keyid)
            out.append(s)
    return out


def ok(root_version=None):
    return ("ok", root_version)


def err(kind, role=None, message=None):
    return ({"error": kind, "role": role, "message": message if message is not None else role}, None)


class Step:
    """One repository state: metadata files, target files (relative paths) and what to fetch."""

    def __init__(self):
        self.meta = {}
        self.targets = {}
        self.fetch = {}
        self.endless = []

    def copy(self):
        s = Step()
        s.meta, s.targets, s.fetch, s.endless = dict(self.meta), dict(self.targets), dict(self.fetch), list(self.endless)
        return s

    def write(self, path):
        for sub, files in (("metadata", self.meta), ("targets", self.targets)):
            os.makedirs(os.path.join(path, sub), exist_ok=True)
            for name, data in files.items():
                dest = os.path.join(path, sub, name)
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                with open(dest, "wb") as f:
                    f.write(data)


class Repo:
    """A repository whose keys live for the whole case."""

    def __init__(self, consistent=True, root_keys=1, root_threshold=1):
        self.consistent = consistent
        keys = {"root": [new_key("ed25519") for _ in range(root_keys)]}
        for role in ("timestamp", "snapshot", "targets"):
            keys[role] = [new_key()]
        thresholds = {r: 1 for r in ROLES}
        thresholds["root"] = root_threshold
        self.roots = {}
        self.history = {0: (keys, thresholds)}
        self.publish_root(1, signers=keys["root"])

    @property
    def keys(self):
        return self.history[max(self.history)][0]

    def bootstrap(self):
        return self.roots[1]

    def root_signed(self, version, keys, thresholds, expires):
        root = Root(version=version, expires=expires, consistent_snapshot=self.consistent)
        for role in ROLES:
            for s in keys[role]:
                root.add_key(s.public_key, role)
            root.roles[role].threshold = thresholds[role]
        return root

    def publish_root(self, version, keys=None, thresholds=None, expires=FAR, signers=None,
                     declared_version=None, extra_signers=()):
        """(Re)publishes root `version` (dropping any later ones): the previous root's role keys
        with `keys`/`thresholds` replacing some; signed by the previous and new root keys unless
        `signers` is given."""
        prev_keys, prev_thresholds = self.history[version - 1]
        new_keys = dict(prev_keys, **(keys or {}))
        new_thresholds = dict(prev_thresholds, **(thresholds or {}))
        signed = self.root_signed(declared_version or version, new_keys, new_thresholds, expires)
        if signers is None:
            signers = dedupe(list(prev_keys["root"]) + list(new_keys["root"]))
        for v in [v for v in self.roots if v >= version]:
            del self.roots[v]
            del self.history[v]
        self.roots[version] = sign(signed, list(signers) + list(extra_signers))
        self.history[version] = (new_keys, new_thresholds)
        return self.roots[version]

    def targets_md(self, version, files, expires=FAR, hash_algs=("sha256",)):
        t = Targets(version=version, expires=expires)
        for name, data in files.items():
            t.targets[name] = TargetFile.from_data(name, data, list(hash_algs))
        return t

    def snapshot_name(self, version):
        return f"{version}.snapshot.json" if self.consistent else "snapshot.json"

    def targets_name(self, version):
        return f"{version}.targets.json" if self.consistent else "targets.json"

    def target_paths(self, name, data, hash_algs):
        if not self.consistent:
            return [name]
        d, sep, base = name.rpartition("/")
        return [f"{d}{sep}{hashlib.new(alg, data).hexdigest()}.{base}" for alg in hash_algs]

    def state(self, ts=1, snap=1, targ=1, files=None, expires=None, ts_hashes=False,
              snap_hashes=False, hash_algs=("sha256",), signers=None, snapshot_meta=None):
        """A full repository state: every root so far, timestamp `ts` naming snapshot `snap`,
        which names targets `targ` listing `files` (default: file.txt whose content names the
        targets version). `expires` maps roles to expiry times; `signers` maps roles to the keys
        that sign (default: the current keys of the role)."""
        files = files if files is not None else {"file.txt": f"file.txt of targets v{targ}\n".encode()}
        expires = dict({r: FAR for r in ROLES}, **(expires or {}))
        signers = dict({r: self.keys[r] for r in ROLES}, **(signers or {}))
        step = Step()
        for v, data in self.roots.items():
            step.meta[f"{v}.root.json"] = data
        targets = sign(self.targets_md(targ, files, expires["targets"], hash_algs), signers["targets"])
        step.meta[self.targets_name(targ)] = targets
        if snapshot_meta is None:
            tmeta = MetaFile.from_data(targ, targets, ["sha256"]) if snap_hashes else MetaFile(targ)
            snapshot_meta = {"targets.json": tmeta}
        snapshot = sign(Snapshot(version=snap, expires=expires["snapshot"], meta=snapshot_meta), signers["snapshot"])
        step.meta[self.snapshot_name(snap)] = snapshot
        smeta = MetaFile.from_data(snap, snapshot, ["sha256"]) if ts_hashes else MetaFile(snap)
        step.meta["timestamp.json"] = sign(
            Timestamp(version=ts, expires=expires["timestamp"], snapshot_meta=smeta), signers["timestamp"])
        for name, data in files.items():
            for path in self.target_paths(name, data, hash_algs):
                step.targets[path] = data
            step.fetch[name] = sha256(data)
        return step


class Case:
    def __init__(self, name, description, bootstrap, limits=None):
        self.name, self.description, self.bootstrap, self.limits = name, description, bootstrap, limits
        self.steps = []

    def step(self, state, now, outcome=ok(), fetch=None):
        expect, root_version = outcome
        state = state.copy()
        if fetch is not None:
            state.fetch = fetch
        self.steps.append((state, now, expect, root_version))
        return self

    def write(self, out):
        path = os.path.join(out, self.name)
        os.makedirs(path)
        with open(os.path.join(path, "bootstrap.root.json"), "wb") as f:
            f.write(self.bootstrap)
        steps = []
        for i, (state, now, expect, root_version) in enumerate(self.steps, 1):
            d = f"step{i}"
            state.write(os.path.join(path, d))
            s = {"dir": d, "now": iso(now), "fetch": state.fetch, "expect": expect}
            if state.endless:
                s["endless"] = state.endless
            if root_version is not None:
                s["root_version"] = root_version
            steps.append(s)
        doc = {"name": self.name, "description": self.description,
               "bootstrap": "bootstrap.root.json", "steps": steps}
        if self.limits:
            doc["limits"] = self.limits
        with open(os.path.join(path, "expect.json"), "w") as f:
            json.dump(doc, f, indent=1, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# The cases.

def rotation_cases():
    cases = []

    r = Repo()
    c = Case("root-rotation-1-2-3-4", "Root v1 -> v2 (new root and timestamp keys) -> v3 (root threshold "
             "2 of 2 new keys) in one refresh, then v4 replacing one of the two keys.", r.bootstrap())
    c.step(r.state(ts=1), T0, ok(1))
    r.publish_root(2, keys={"root": [new_key("ed25519")], "timestamp": [new_key()]})
    r.publish_root(3, keys={"root": [new_key("ed25519"), new_key("ed25519")]}, thresholds={"root": 2})
    c.step(r.state(ts=2, snap=2, targ=2), T0, ok(3))
    r.publish_root(4, keys={"root": [r.keys["root"][0], new_key("ed25519")]})
    c.step(r.state(ts=3, snap=3, targ=3), T0, ok(4))
    cases.append(c)

    r = Repo()
    c = Case("root-rotation-threshold-2-one-signature", "Root v2 sets a root threshold of 2 but only one "
             "of its two root keys signs it (plus the old key): rejected; then properly signed.",
             r.bootstrap())
    c.step(r.state(), T0, ok(1))
    old = r.keys["root"]
    b, c2 = new_key("ed25519"), new_key("ed25519")
    r.publish_root(2, keys={"root": [b, c2]}, thresholds={"root": 2}, signers=old + [b])
    c.step(r.state(ts=2), T0, err("signatures", "root"))
    r.publish_root(2, keys={"root": [b, c2]}, thresholds={"root": 2})
    c.step(r.state(ts=3), T0, ok(2))
    cases.append(c)

    r = Repo(root_keys=2, root_threshold=2)
    c = Case("root-rotation-old-threshold-unmet", "Root v1 needs 2 of 2 root keys; v2 is signed by one "
             "of them and its own new key: rejected; then signed by both old keys.", r.bootstrap())
    c.step(r.state(), T0, ok(1))
    a1, a2 = r.keys["root"]
    b = new_key("ed25519")
    r.publish_root(2, keys={"root": [b]}, thresholds={"root": 1}, signers=[a1, b])
    c.step(r.state(ts=2), T0, err("signatures", "root"))
    r.publish_root(2, keys={"root": [b]}, thresholds={"root": 1})
    c.step(r.state(ts=3), T0, ok(2))
    cases.append(c)

    r = Repo()
    c = Case("root-rotation-not-signed-by-old-keys", "Root v2 signed only by its own new root key.",
             r.bootstrap())
    c.step(r.state(), T0, ok(1))
    b = new_key("ed25519")
    r.publish_root(2, keys={"root": [b]}, signers=[b])
    c.step(r.state(ts=2), T0, err("signatures", "root"))
    cases.append(c)

    r = Repo()
    c = Case("root-rotation-wrong-version", "2.root.json says version 3 (validly signed).", r.bootstrap())
    r.publish_root(2, keys={"root": [new_key("ed25519")]}, declared_version=3)
    c.step(r.state(), T0, err("version", "root"))
    cases.append(c)

    r = Repo()
    c = Case("root-rotation-intermediate-expired", "Root v2 has expired but v3 has not: an expired "
             "intermediate root is fine.", r.bootstrap())
    r.publish_root(2, keys={"root": [new_key("ed25519")]}, expires=day(-10))
    r.publish_root(3, keys={"root": [new_key("ed25519")]})
    c.step(r.state(), T0, ok(3))
    cases.append(c)

    r = Repo()
    c = Case("root-rotation-final-expired", "The newest root (v2) has expired.", r.bootstrap())
    r.publish_root(2, keys={"root": [new_key("ed25519")]}, expires=day(-10))
    c.step(r.state(), T0, err("expired", "root"))
    cases.append(c)

    r = Repo()
    boot = r.publish_root(1, expires=day(-1), signers=r.keys["root"])
    c = Case("expired-bootstrap-root-rotates", "The bootstrap root has expired; root v2 has not.", boot)
    r.publish_root(2, keys={"root": [new_key("ed25519")]})
    c.step(r.state(), T0, ok(2))
    cases.append(c)
    return cases


def expiry_cases():
    cases = []
    r = Repo()
    boot = r.publish_root(1, expires=day(5), signers=r.keys["root"])
    c = Case("expired-root", "Root expires on day 5; refreshed on day 0, then day 6.", boot)
    st = r.state()
    c.step(st, T0, ok(1)).step(st, day(6), err("expired", "root"))
    cases.append(c)
    for role in ("timestamp", "snapshot", "targets"):
        r = Repo()
        c = Case(f"expired-{role}", f"{role} expires on day 1; refreshed on day 0, then day 2.", r.bootstrap())
        st = r.state(expires={role: day(1)})
        c.step(st, T0, ok(1)).step(st, day(2), err("expired", role))
        cases.append(c)
    return cases


def rollback_cases():
    cases = []
    r = Repo()
    c = Case("timestamp-rollback", "Timestamp v2, then v1, then v3.", r.bootstrap())
    c.step(r.state(ts=2), T0, ok())
    c.step(r.state(ts=1), T0, err("rollback", "timestamp"))
    c.step(r.state(ts=3), T0, ok())
    cases.append(c)

    r = Repo()
    c = Case("snapshot-rollback", "The timestamp names snapshot v2, then a newer timestamp names v1.",
             r.bootstrap())
    c.step(r.state(ts=1, snap=2), T0, ok())
    c.step(r.state(ts=2, snap=1), T0, err("rollback", "snapshot"))
    c.step(r.state(ts=3, snap=3), T0, ok())
    cases.append(c)

    r = Repo()
    c = Case("targets-rollback", "The snapshot names targets v2, then a newer snapshot names v1.",
             r.bootstrap())
    c.step(r.state(ts=1, snap=1, targ=2), T0, ok())
    c.step(r.state(ts=2, snap=2, targ=1), T0, err("rollback", "targets"))
    c.step(r.state(ts=3, snap=3, targ=3), T0, ok())
    cases.append(c)

    r = Repo()
    c = Case("snapshot-drops-targets-meta", "A newer snapshot no longer lists targets.json.", r.bootstrap())
    c.step(r.state(), T0, ok())
    c.step(r.state(ts=2, snap=2, snapshot_meta={}), T0, err("missing_meta", None, "targets.json"))
    cases.append(c)

    r = Repo()
    c = Case("rollback-after-failed-update", "Timestamp v3 verifies but its snapshot does not match; "
             "then timestamp v2 (older than the v3 already verified) is served.", r.bootstrap())
    c.step(r.state(), T0, ok())
    bad = r.state(ts=3, snap=3)
    bad.meta["3.snapshot.json"] = r.state(ts=2, snap=2).meta["2.snapshot.json"]
    c.step(bad, T0, err("version", "snapshot"))
    c.step(r.state(ts=2, snap=2), T0, err("rollback", "timestamp"))
    c.step(r.state(ts=4, snap=4), T0, ok())
    cases.append(c)
    return cases


def freeze_cases():
    cases = []
    r = Repo()
    c = Case("freeze-stale-timestamp", "The timestamp (valid to day 1) is served again on day 2; then a "
             "fresh one.", r.bootstrap())
    st = r.state(ts=1, expires={"timestamp": day(1)})
    c.step(st, T0, ok()).step(st, day(2), err("expired", "timestamp"))
    c.step(r.state(ts=2, expires={"timestamp": day(10)}), day(2), ok())
    cases.append(c)

    r = Repo()
    c = Case("freeze-stale-snapshot", "A fresh timestamp names the old snapshot, which expired on day 1.",
             r.bootstrap())
    c.step(r.state(ts=1, expires={"snapshot": day(1)}), T0, ok())
    c.step(r.state(ts=2, expires={"snapshot": day(1), "timestamp": day(10)}), day(2),
           err("expired", "snapshot"))
    cases.append(c)
    return cases


def mix_and_match_cases():
    cases = []
    r = Repo()
    c = Case("mix-and-match-snapshot-version", "Timestamp v2 names snapshot v2; 2.snapshot.json holds "
             "the validly signed snapshot v1 of the previous state.", r.bootstrap())
    a = r.state(ts=1, snap=1, targ=1)
    c.step(a, T0, ok())
    b = r.state(ts=2, snap=2, targ=2)
    b.meta["2.snapshot.json"] = a.meta["1.snapshot.json"]
    c.step(b, T0, err("version", "snapshot"))
    cases.append(c)

    r = Repo()
    c = Case("mix-and-match-snapshot-hashes", "The timestamp lists the snapshot's hash; a different "
             "validly signed snapshot v2 (of another state) is served.", r.bootstrap())
    c.step(r.state(ts=1, ts_hashes=True), T0, ok())
    b = substituted(lambda: r.state(ts=2, snap=2, targ=2, ts_hashes=True), "2.snapshot.json",
                    lambda: r.state(ts=2, snap=2, targ=3).meta["2.snapshot.json"])
    b.meta["3.targets.json"] = r.state(targ=3).meta["3.targets.json"]
    c.step(b, T0, err("hash", "snapshot"))
    cases.append(c)

    r = Repo()
    c = Case("mix-and-match-targets-version", "Snapshot v2 names targets v2; 2.targets.json holds the "
             "validly signed targets v1.", r.bootstrap())
    a = r.state()
    c.step(a, T0, ok())
    b = r.state(ts=2, snap=2, targ=2)
    b.meta["2.targets.json"] = a.meta["1.targets.json"]
    c.step(b, T0, err("version", "targets"))
    cases.append(c)

    r = Repo()
    c = Case("mix-and-match-targets-hashes", "The snapshot lists the targets' hash; a different validly "
             "signed targets v2 is served.", r.bootstrap())
    c.step(r.state(snap_hashes=True), T0, ok())
    b = substituted(lambda: r.state(ts=2, snap=2, targ=2, snap_hashes=True), "2.targets.json",
                    lambda: r.state(targ=2, files={"file.txt": b"file.txt of another v2\n"})
                    .meta["2.targets.json"])
    c.step(b, T0, err("hash", "targets"))
    cases.append(c)

    r, other = Repo(), Repo()
    c = Case("mix-and-match-other-repository", "The snapshot comes from another repository (other keys).",
             r.bootstrap())
    b = r.state()
    b.meta["1.snapshot.json"] = other.state().meta["1.snapshot.json"]
    c.step(b, T0, err("signatures", "snapshot"))
    cases.append(c)
    return cases


def hash_cases():
    cases = []
    r = Repo()
    c = Case("target-content-changed", "Targets v2 lists new content for the target; the file "
             "served has other content of the same length.", r.bootstrap())
    c.step(r.state(), T0, ok())
    bad = r.state(ts=2, snap=2, targ=2)
    for path, data in bad.targets.items():
        bad.targets[path] = data.upper()
    c.step(bad, T0, err("target_hash", None, "file.txt"))
    cases.append(c)

    r = Repo()
    c = Case("target-truncated", "The target file is one byte short.", r.bootstrap())
    bad = r.state()
    for path, data in bad.targets.items():
        bad.targets[path] = data[:-1]
    c.step(bad, T0, err("target_hash", None, "file.txt"))
    cases.append(c)

    r = Repo()
    c = Case("snapshot-hash-mismatch", "The timestamp lists a snapshot hash that the served snapshot "
             "does not have.", r.bootstrap())
    st = r.state()
    snap = st.meta["1.snapshot.json"]
    st.meta["timestamp.json"] = sign(Timestamp(version=1, expires=FAR, snapshot_meta=MetaFile(
        1, hashes={"sha256": sha256(snap + b" ")})), r.keys["timestamp"])
    c.step(st, T0, err("hash", "snapshot"))
    cases.append(c)

    r = Repo()
    c = Case("snapshot-hash-other-algorithm", "The timestamp lists only a blake2b hash of the "
             "snapshot, and a wrong one.", r.bootstrap())
    st = r.state()
    st.meta["timestamp.json"] = sign(Timestamp(version=1, expires=FAR, snapshot_meta=MetaFile(
        1, hashes={"blake2b": hashlib.blake2b(b"other").hexdigest()})), r.keys["timestamp"])
    c.step(st, T0, err("hash", "snapshot"))
    cases.append(c)

    r = Repo()
    c = Case("targets-hash-mismatch", "The snapshot lists a targets hash that the served targets "
             "does not have.", r.bootstrap())
    st = r.state(snapshot_meta={"targets.json": MetaFile(1, hashes={"sha256": sha256(b"other")})})
    c.step(st, T0, err("hash", "targets"))
    cases.append(c)

    r = Repo()
    c = Case("snapshot-shorter-than-listed", "The timestamp lists a snapshot length 10 bytes longer than "
             "the served snapshot.", r.bootstrap())
    st = r.state()
    snap = st.meta["1.snapshot.json"]
    st.meta["timestamp.json"] = sign(Timestamp(version=1, expires=FAR, snapshot_meta=MetaFile(
        1, length=len(snap) + 10)), r.keys["timestamp"])
    c.step(st, T0, err("hash", "snapshot"))
    cases.append(c)
    return cases


def size_cases():
    cases = []
    r = Repo()
    c = Case("target-longer-than-listed", "The target file has 1000 bytes more than listed.", r.bootstrap())
    st = r.state()
    for path, data in st.targets.items():
        st.targets[path] = data + b"x" * 1000
    c.step(st, T0, err("too_large", None, "file.txt"))
    cases.append(c)

    r = Repo()
    c = Case("snapshot-longer-than-listed", "The timestamp lists the snapshot's length; the served "
             "snapshot is padded past it.", r.bootstrap())
    st = r.state(ts_hashes=True)
    st.meta["1.snapshot.json"] = pad(st.meta["1.snapshot.json"], len(st.meta["1.snapshot.json"]) + 100)
    c.step(st, T0, err("too_large", None, "snapshot.json"))
    cases.append(c)

    r = Repo()
    c = Case("timestamp-over-limit", "A validly signed timestamp padded to 20000 bytes (limit 16384).",
             r.bootstrap())
    st = r.state()
    st.meta["timestamp.json"] = pad(st.meta["timestamp.json"], 20000)
    c.step(st, T0, err("too_large", None, "timestamp.json"))
    cases.append(c)

    r = Repo()
    c = Case("root-over-limit", "A validly signed root v2 padded to 600000 bytes (limit 512000).",
             r.bootstrap())
    r.publish_root(2, keys={"root": [new_key("ed25519")]})
    st = r.state()
    st.meta["2.root.json"] = pad(st.meta["2.root.json"], 600000)
    c.step(st, T0, err("too_large", None, "2.root.json"))
    cases.append(c)

    for role in ("snapshot", "targets"):
        r = Repo()
        c = Case(f"{role}-over-limit", f"A validly signed {role} padded to 10000 bytes with no listed "
                 f"length; the client's {role} limit is 8192.", r.bootstrap(), limits={role: 8192})
        st = r.state()
        name = f"1.{role}.json"
        st.meta[name] = pad(st.meta[name], 10000)
        c.step(st, T0, err("too_large", None, name))
        cases.append(c)

    for what, path in (("timestamp", "timestamp.json"), ("root", "2.root.json"), ("target", None)):
        r = Repo()
        c = Case(f"endless-{what}", f"The {what} is served as an endless body.", r.bootstrap())
        if what == "root":
            r.publish_root(2, keys={"root": [new_key("ed25519")]})
        st = r.state()
        if path is None:
            path = "targets/" + next(iter(st.targets))
        st.endless = [path]
        c.step(st, T0, err("too_large", None, path.rsplit("/", 1)[-1]))
        cases.append(c)
    return cases


def naming_cases():
    cases = []
    files = lambda v: {
        "file.txt": f"file.txt v{v}\n".encode(),
        "dir/nested.txt": f"nested v{v}\n".encode(),
        "dir/ünï cödé.txt": f"unicode v{v}\n".encode(),
    }
    r = Repo()
    c = Case("consistent-snapshot-naming", "Consistent snapshots: versioned metadata names and "
             "hash-prefixed target names (also in a subdirectory and with non-ASCII names); unprefixed "
             "decoys with other content must not be used.", r.bootstrap())
    a = r.state(files=files(1))
    c.step(a, T0, ok())
    b = r.state(ts=2, snap=2, targ=2, files=files(2))
    b.meta["snapshot.json"] = a.meta["1.snapshot.json"]
    b.meta["targets.json"] = a.meta["1.targets.json"]
    for name, data in files(1).items():
        b.targets[name] = data
    c.step(b, T0, ok())
    cases.append(c)

    r = Repo(consistent=False)
    c = Case("non-consistent-snapshot", "consistent_snapshot false: snapshot.json, targets.json and "
             "target files under their plain names; versioned decoys must not be used.", r.bootstrap())
    a = r.state(files=files(1))
    c.step(a, T0, ok())
    b = r.state(ts=2, snap=2, targ=2, files=files(2))
    b.meta["1.snapshot.json"] = a.meta["snapshot.json"]
    b.meta["2.snapshot.json"] = a.meta["snapshot.json"]
    b.meta["2.targets.json"] = a.meta["targets.json"]
    c.step(b, T0, ok())
    cases.append(c)

    r = Repo()
    c = Case("consistent-snapshot-two-hashes", "Targets list sha256 and sha512; the file is served "
             "under both prefixes.", r.bootstrap())
    c.step(r.state(files=files(1), hash_algs=("sha256", "sha512")), T0, ok())
    cases.append(c)
    return cases


def fast_forward_cases():
    cases = []
    r = Repo()
    c = Case("fast-forward-timestamp-recovery", "A compromised timestamp key publishes timestamp v1000; "
             "the repository's v2 is then a rollback until root v2 rotates the timestamp key.",
             r.bootstrap())
    c.step(r.state(ts=1), T0, ok())
    c.step(r.state(ts=1000), T0, ok())
    c.step(r.state(ts=2, snap=2), T0, err("rollback", "timestamp"))
    r.publish_root(2, keys={"timestamp": [new_key()]})
    c.step(r.state(ts=2, snap=2), T0, ok(2))
    cases.append(c)

    r = Repo()
    c = Case("fast-forward-snapshot-recovery", "A compromised snapshot key lists targets v1000 (never "
             "published); targets v2 is then a rollback until root v2 rotates the snapshot key.",
             r.bootstrap())
    c.step(r.state(), T0, ok())
    st = r.state(ts=2, snap=2, snapshot_meta={"targets.json": MetaFile(1000)})
    c.step(st, T0, err("transport", None, "1000.targets.json"))
    c.step(r.state(ts=3, snap=3, targ=2), T0, err("rollback", "targets"))
    r.publish_root(2, keys={"snapshot": [new_key()]})
    c.step(r.state(ts=4, snap=4, targ=2), T0, ok(2))
    cases.append(c)
    return cases


def signature_cases():
    cases = []
    for role, by in (("timestamp", "snapshot"), ("snapshot", "targets"), ("targets", "timestamp")):
        r = Repo()
        c = Case(f"{role}-signed-by-{by}-key", f"The {role} is signed with the {by} key.", r.bootstrap())
        c.step(r.state(signers={role: r.keys[by]}), T0, err("signatures", role))
        cases.append(c)
    r = Repo()
    c = Case("snapshot-unsigned", "The snapshot carries no signature.", r.bootstrap())
    c.step(r.state(signers={"snapshot": []}), T0, err("signatures", "snapshot"))
    cases.append(c)
    return cases


def all_cases():
    return (rotation_cases() + expiry_cases() + rollback_cases() + freeze_cases()
            + mix_and_match_cases() + hash_cases() + size_cases() + naming_cases()
            + fast_forward_cases() + signature_cases())


# ---------------------------------------------------------------------------------------------
# The reference client over the cases.

from tuf.ngclient import Updater, UpdaterConfig  # noqa: E402
from tuf.ngclient._internal import trusted_metadata_set  # noqa: E402
from tuf.ngclient.fetcher import FetcherInterface  # noqa: E402

_now = [T0]


class _Clock(dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return _now[0]


# python-tuf reads the time once per TrustedMetadataSet as datetime.datetime.now(timezone.utc).
trusted_metadata_set.datetime = types.SimpleNamespace(datetime=_Clock, timezone=dt.timezone)


class StepFetcher(FetcherInterface):
    def __init__(self, step_dir, endless):
        self.step_dir, self.endless = step_dir, set(endless)

    def _fetch(self, url):
        rel = unquote(url[len(BASE):])
        if rel in self.endless:
            def forever():
                while True:
                    yield b" " * 65536
            return forever()
        sub = "targets" if rel.startswith("targets/") else "metadata"
        path = os.path.join(self.step_dir, sub, rel[len("targets/"):] if sub == "targets" else rel)
        if ".." in rel.split("/") or not os.path.isfile(path):
            raise tuf_errors.DownloadHTTPError("not found", 404)
        with open(path, "rb") as f:
            return iter([f.read()])


REFERENCE_KINDS = {
    "expired": lambda e: isinstance(e, tuf_errors.ExpiredMetadataError),
    "rollback": lambda e: isinstance(e, tuf_errors.BadVersionNumberError),
    "version": lambda e: isinstance(e, tuf_errors.BadVersionNumberError),
    "signatures": lambda e: isinstance(e, tuf_errors.UnsignedMetadataError),
    "hash": lambda e: isinstance(e, tuf_errors.LengthOrHashMismatchError),
    "target_hash": lambda e: isinstance(e, tuf_errors.LengthOrHashMismatchError),
    "too_large": lambda e: isinstance(e, tuf_errors.DownloadLengthMismatchError),
    "missing_meta": lambda e: type(e) is tuf_errors.RepositoryError,
    "transport": lambda e: isinstance(e, tuf_errors.DownloadHTTPError),
}


def reference_step(case_dir, doc, step, cache):
    """Runs python-tuf over one step; returns None when it matches the expectation, else why not."""
    _now[0] = dt.datetime.strptime(step["now"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    config = UpdaterConfig()
    limits = doc.get("limits", {})
    for role in ROLES:
        if role in limits:
            setattr(config, f"{role}_max_length", limits[role])
    with open(os.path.join(case_dir, doc["bootstrap"]), "rb") as f:
        bootstrap = f.read()
    fetcher = StepFetcher(os.path.join(case_dir, step["dir"]), step.get("endless", []))
    outcome = None
    try:
        up = Updater(os.path.join(cache, "metadata"), BASE, os.path.join(cache, "targets"),
                     BASE + "targets/", fetcher, config, bootstrap=bootstrap)
        up.refresh()
        version = up._trusted_set.root.version
        if step.get("root_version") not in (None, version):
            return f"root version {version}, expected {step['root_version']}"
        for name, digest in step["fetch"].items():
            info = up.get_targetinfo(name)
            if info is None:
                return f"target {name} not listed"
            out = os.path.join(cache, "download")
            up.download_target(info, out)
            with open(out, "rb") as f:
                if sha256(f.read()) != digest:
                    return f"target {name} has other content"
    except Exception as e:  # noqa: BLE001
        outcome = e
    expect = step["expect"]
    if expect == "ok":
        return None if outcome is None else f"expected ok, python-tuf: {type(outcome).__name__}: {outcome}"
    if outcome is None:
        return f"expected {expect}, python-tuf succeeded"
    if not REFERENCE_KINDS[expect["error"]](outcome):
        return f"expected {expect}, python-tuf: {type(outcome).__name__}: {outcome}"
    if expect["error"] == "expired" and expect["role"] not in str(outcome):
        return f"expected {expect}, python-tuf: {outcome}"
    return None


def check(out, names):
    agree, disagree = 0, 0
    for name in names:
        case_dir = os.path.join(out, name)
        with open(os.path.join(case_dir, "expect.json")) as f:
            doc = json.load(f)
        cache = tempfile.mkdtemp(prefix="tuf-ref-")
        os.makedirs(os.path.join(cache, "metadata"))
        problems = []
        for step in doc["steps"]:
            why = reference_step(case_dir, doc, step, cache)
            if why:
                problems.append(f"{step['dir']}: {why}")
        shutil.rmtree(cache, ignore_errors=True)
        if problems:
            disagree += 1
            print(f"python-tuf disagrees on {name}: " + "; ".join(problems), file=sys.stderr)
        else:
            agree += 1
    print(f"python-tuf reference client: {agree} cases agree, {disagree} disagree")
    return disagree == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--check", action="store_true", help="run python-tuf's client over the cases")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    cases = all_cases()
    names = [c.name for c in cases]
    assert len(set(names)) == len(names), "duplicate case names"
    for c in cases:
        shutil.rmtree(os.path.join(a.out, c.name), ignore_errors=True)
        c.write(a.out)
    with open(os.path.join(a.out, "cases.json"), "w") as f:
        json.dump({"cases": names}, f, indent=1)
    print(f"wrote {len(names)} cases to {a.out}")
    if a.check and not check(a.out, names):
        sys.exit(1)


if __name__ == "__main__":
    main()
