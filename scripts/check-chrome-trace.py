#!/usr/bin/env python3
"""Check Chrome Trace Event Format files as Perfetto reads them, with a JSON parser
and code that share nothing with locklab's Rust (a second opinion on
`locklab run --trace`; tests/common/chrome_trace.rs applies the same rules in Rust).

    python3 scripts/check-chrome-trace.py run.json [more.json ...]

For each file: every event has a phase, a name, a pid and (except process
metadata) a tid; on each track (pid, tid) timestamps never go back in file order,
complete slices ("X") and instants ("i") nest (a slice either ends before the next
one starts or holds it whole), every "B" has its "E"; every flow (who blocked
whom: "s" on the holder's track, "f" on the waiter's) has one start and one end
no earlier, its start lies inside a slice of its track and its end is followed on
its track by an instant of the same moment (the refusal Perfetto binds it to);
every process and every track is named by metadata. Prints a summary per file,
or the problems found, and exits 1 if there were any.
"""

import json
import sys
from collections import Counter, defaultdict


def problems(doc):
    found = []
    events = doc.get("traceEvents")
    if not isinstance(events, list):
        return ["no traceEvents array"]
    process_names, thread_names = set(), set()
    used_processes, used_tracks = set(), set()
    last_ts = {}
    open_slices = defaultdict(list)  # track -> ends of the slices it is inside
    open_begins = defaultdict(list)  # track -> names of "B" events not yet ended
    flows = defaultdict(dict)  # id -> {"s": (event, ts), "f": (event, ts)}
    to_bind = {}  # track -> (event, ts) of a flow end the next event binds to
    for i, e in enumerate(events):
        ph, name, pid, tid = e.get("ph"), e.get("name"), e.get("pid"), e.get("tid")
        if not isinstance(name, str) or not isinstance(pid, int):
            found.append(f"event {i}: no name or pid: {e}")
            continue
        if ph == "M":
            if name == "process_name":
                process_names.add(pid)
            elif name == "thread_name":
                thread_names.add((pid, tid))
            continue
        if not isinstance(tid, int):
            found.append(f"event {i}: no tid: {e}")
            continue
        ts = e.get("ts")
        if not isinstance(ts, (int, float)) or ts < 0:
            found.append(f"event {i}: bad ts: {e}")
            continue
        track = (pid, tid)
        used_processes.add(pid)
        used_tracks.add(track)
        if ts < last_ts.get(track, 0):
            found.append(f"event {i}: ts {ts} goes back on track {track}")
        last_ts[track] = ts
        if ph in ("X", "i", "I") and track in to_bind:
            f, at = to_bind.pop(track)
            if ph not in ("i", "I") or ts != at:
                found.append(
                    f"event {f}: flow end at {at} on track {track} is not followed by an "
                    f"instant of its moment"
                )
        if ph in ("s", "f"):
            fid = e.get("id")
            if fid is None:
                found.append(f"event {i}: a flow without an id: {e}")
                continue
            if ph in flows[fid]:
                found.append(f"event {i}: flow {fid} has two {ph!r}")
            flows[fid][ph] = (i, ts)
            if ph == "f":
                to_bind[track] = (i, ts)
            else:
                stack = open_slices[track]
                while stack and stack[-1] < ts:
                    stack.pop()
                if not stack:
                    found.append(
                        f"event {i}: flow {fid} starts at {ts} on track {track} outside any slice"
                    )
        elif ph in ("X", "i", "I"):
            dur = e.get("dur", 0) if ph == "X" else 0
            if not isinstance(dur, (int, float)) or dur < 0:
                found.append(f"event {i}: bad dur: {e}")
                continue
            stack = open_slices[track]
            while stack:
                if ts + dur <= stack[-1]:
                    break
                if ts >= stack[-1]:
                    stack.pop()
                else:
                    found.append(
                        f"event {i}: {name!r} {ts}+{dur} overlaps a slice ending at "
                        f"{stack[-1]} on track {track} without nesting in it"
                    )
                    break
            stack.append(ts + dur)
        elif ph == "C":
            # A counter (the WAL's length): a series of numbers, drawn as a line.
            args = e.get("args")
            if not isinstance(args, dict) or not args or not all(
                isinstance(v, (int, float)) for v in args.values()
            ):
                found.append(f"event {i}: a counter whose args are not numbers")
        elif ph == "B":
            open_begins[track].append(name)
        elif ph == "E":
            if not open_begins[track]:
                found.append(f"event {i}: E without B on track {track}")
            else:
                open_begins[track].pop()
        else:
            found.append(f"event {i}: phase {ph!r} is not one this checker knows")
    for track, (f, _) in to_bind.items():
        found.append(f"event {f}: flow end on track {track} binds to nothing")
    for fid, ends in flows.items():
        if set(ends) != {"s", "f"} or ends["s"][1] > ends["f"][1]:
            found.append(f"flow {fid}: not one start then one end: {ends}")
    for track, names in open_begins.items():
        if names:
            found.append(f"track {track}: B without E: {names}")
    for pid in sorted(used_processes - process_names):
        found.append(f"process {pid} has no process_name")
    for track in sorted(used_tracks - thread_names):
        found.append(f"track {track} has no thread_name")
    return found


def summary(doc):
    events = doc["traceEvents"]
    names = {
        (e["pid"], e["tid"]): e["args"]["name"]
        for e in events
        if e.get("ph") == "M" and e.get("name") == "thread_name"
    }
    slices = Counter(
        (names.get((e["pid"], e["tid"])), e["name"]) for e in events if e.get("ph") == "X"
    )
    processes = sum(1 for e in events if e.get("name") == "process_name")
    arrows = sum(1 for e in events if e.get("ph") == "s")
    lines = [f"{len(events)} events, {processes} processes, {arrows} wait-for flows"]
    for (track, name), n in sorted(slices.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        lines.append(f"  {n:6} x {name!r} on {track!r}")
    return "\n".join(lines)


def main(paths):
    bad = False
    for path in paths:
        with open(path) as f:
            doc = json.load(f)
        found = problems(doc)
        if found:
            bad = True
            print(f"{path}: {len(found)} problems")
            for p in found[:20]:
                print(f"  {p}")
        else:
            print(f"{path}: ok, {summary(doc)}")
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
