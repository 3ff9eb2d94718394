"""The cluster test's verdicts, as pure functions over what the clients and pollers recorded
(checks_test.py shows each one catching the fault it is for). Each returns a list of
problems, as text; empty means the history is fine. Times are seconds."""


def active_runs(answers):
    """Maximal runs of consecutive 200 answers of one node's /healthz, as (first request's
    start, last answer's end). `answers`: [(start, end, status, body)] in order."""
    runs, current = [], None
    for start, end, status, _ in answers:
        if status == 200:
            current = (current[0], end) if current else (start, end)
        elif current:
            runs.append(current)
            current = None
    if current:
        runs.append(current)
    return runs


def two_active(polls, t0=0.0):
    """Every pair of nodes whose runs of 200 overlap in time. `polls`: {node: answers}. A
    handover leaves a gap of at least lease_ttl_s / 2 between the old active's last 200 and
    the new one's first (the old one fences first), far more than one poll's length."""
    found = []
    names = list(polls)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            for ra in active_runs(polls[a]):
                for rb in active_runs(polls[b]):
                    if ra[0] < rb[1] and rb[0] < ra[1]:
                        found.append(f"{a} active {ra[0] - t0:.3f}..{ra[1] - t0:.3f} s and "
                                     f"{b} active {rb[0] - t0:.3f}..{rb[1] - t0:.3f} s")
    return found


def holdings(events, end):
    """[(shard, start, end)] of one sharder, from its events [(time, what, data)]: a shard is
    held from the IDENTIFIED or SHARDS_ASSIGNED that gave it until the connection closed or a
    SHARDS_ASSIGNED left it out."""
    held, out = {}, []
    for t, what, data in events:
        if what in ("IDENTIFIED", "SHARDS_ASSIGNED"):
            shards = set(data["shards"])
            for s in list(held):
                if s not in shards:
                    out.append((s, held.pop(s), t))
            for s in shards:
                held.setdefault(s, t)
        elif what == "closed":
            out += [(s, start, t) for s, start in held.items()]
            held = {}
    out += [(s, start, end) for s, start in held.items()]
    return out


def shard_overlaps(held, t0=0.0):
    """Shards held by two sharders at once. `held`: {sharder: holdings(...)}."""
    found = []
    names = list(held)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            for shard, s1, e1 in held[a]:
                for shard2, s2, e2 in held[b]:
                    if shard == shard2 and s1 < e2 and s2 < e1:
                        found.append(f"shard {shard} held by {a} {s1 - t0:.3f}..{e1 - t0:.3f} s "
                                     f"and by {b} {s2 - t0:.3f}..{e2 - t0:.3f} s")
    return found


def shards_not_kept(events, release_s):
    """A sharder that identified with d.shards less than `release_s` after its connection
    closed must get exactly those shards. `events`: one sharder's [(time, what, data)] with
    what in closed / identify (data: the d.shards sent, or None) / IDENTIFIED. Returns
    (problems, how many re-identifies were checked)."""
    problems, checked = [], 0
    last_close, asked = None, None
    for t, what, data in events:
        if what == "closed":
            last_close = t
        elif what == "identify":
            asked = data
        elif what == "IDENTIFIED":
            if asked and last_close is not None and t - last_close < release_s:
                checked += 1
                if sorted(data["shards"]) != sorted(asked):
                    problems.append(f"asked for {asked} {t - last_close:.1f} s after the "
                                    f"connection closed and got {data['shards']}")
            asked = None
    return problems, checked


def close_grants(grants, slack, t0=0.0):
    """Two IDENTIFY_GRANTED of one bucket less than 5 s apart (minus `slack` for the time
    the frames took to arrive). `grants`: {bucket: [receive time]}."""
    found = []
    for bucket, times in grants.items():
        times = sorted(times)
        for a, b in zip(times, times[1:]):
            if b - a < 5 - slack:
                found.append(f"identify bucket {bucket} granted at {a - t0:.3f} s and again at "
                             f"{b - t0:.3f} s")
    return found


def lost_writes(writes, guilds, stored, where):
    """Each guild must hold its last acknowledged write, or a later attempted one (a write
    whose answer was lost may have committed). `writes`: [(index, guild, start, end,
    status)], status 200 = acknowledged; `stored`: {guild: prefix}; write i set "w<i>"."""
    problems = []
    for guild in guilds:
        mine = [w for w in writes if w[1] == guild]
        acked = [w[0] for w in mine if w[4] == 200]
        if not acked:
            continue
        value = stored.get(guild)
        index = int(value[1:]) if isinstance(value, str) and value[1:].isdigit() else None
        if index is None or index < max(acked) or index not in [w[0] for w in mine]:
            problems.append(f"guild {guild}: {where} has prefix {value!r}, but write "
                            f"w{max(acked)} was acknowledged")
    return problems


def duplicates(items):
    seen, dupes = set(), set()
    for x in items:
        (dupes if x in seen else seen).add(x)
    return sorted(dupes)
