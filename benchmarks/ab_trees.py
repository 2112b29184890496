"""A/B: requests per CPU second of benchmarks/end_to_end.py in two checkouts (e.g. `git worktree add`), interleaved.

    python benchmarks/ab_trees.py BEFORE_TREE AFTER_TREE [--path full|direct|nostreams] [--days 0.05] [--n 5]

Each run is a fresh process that imports the tree's own package (the benchmark puts its tree
first on sys.path) and measures process CPU time (not wall: the machine is shared). Prints
each tree's median requests per CPU second, the ratio, and the trace digests (which must be
equal between the trees: same seed, same behaviour).
"""
import json
import os
import statistics
import subprocess
import sys

CHILD = r'''
import sys, time, json, os
tree, days, path = sys.argv[1], float(sys.argv[2]), sys.argv[3]
sys.path.insert(0, os.path.join(tree, "benchmarks"))
sys.path.insert(0, tree)
import end_to_end as e
t0 = time.process_time()
r = e.run(days, 10.0, quiet=True, direct=path != "full", streams=path != "nostreams")
cpu = time.process_time() - t0
print(json.dumps({"rps": r["requests"] / cpu, "digest": r["trace_digest"], "us": cpu / r["requests"] * 1e6}))
'''

def main():
    args = sys.argv[1:]
    a, b = args[0], args[1]
    opts = dict(zip(args[2::2], args[3::2]))
    path = opts.get("--path", "full"); days = opts.get("--days", "0.05"); n = int(opts.get("--n", "5"))
    res = {a: [], b: []}
    dig = {a: set(), b: set()}
    for i in range(n):
        for t in ((a, b) if i % 2 == 0 else (b, a)):
            out = subprocess.run([sys.executable, "-c", CHILD, t, days, path], capture_output=True, text=True, cwd=os.path.dirname(os.path.abspath(a)))
            if out.returncode:
                print(out.stderr[-3000:]); sys.exit(1)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            res[t].append(r["rps"]); dig[t].add(r["digest"])
    ma, mb = statistics.median(res[a]), statistics.median(res[b])
    print(f"path={path} days={days} n={n}")
    print(f"A {a}: median {ma:,.0f} req/CPU-s ({1e6/ma:.1f} us/req)  runs {[round(x) for x in res[a]]}  digest {sorted(dig[a])}")
    print(f"B {b}: median {mb:,.0f} req/CPU-s ({1e6/mb:.1f} us/req)  runs {[round(x) for x in res[b]]}  digest {sorted(dig[b])}")
    print(f"B/A = {mb/ma:.3f}   digests {'EQUAL' if dig[a] == dig[b] else 'DIFFER'}")

main()
