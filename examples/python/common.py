"""Helpers shared by the Python examples: options, endpoint URLs, printing, backoff."""
import argparse
import json
import os
import sys

DEFAULT_URL = "http://127.0.0.1:7700"


def parser(description):
    """An argument parser with --url (env COORDINATOR_URL) already on it."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--url", default=os.environ.get("COORDINATOR_URL", DEFAULT_URL),
                   help="the node's HTTP address (env COORDINATOR_URL, default %(default)s)")
    return p


def add_secret(p, option, env, what):
    """An option whose default comes from an environment variable (better than argv: `ps`
    shows command lines to every user)."""
    p.add_argument(option, default=os.environ.get(env),
                   help=f"{what} (env {env}; prefer the variable)")


def require(p, args, *names):
    for name in names:
        if not getattr(args, name.lstrip("-").replace("-", "_")):
            p.error(f"{name} is required (or its environment variable)")


def ws_url(base, path):
    """ws://host:port/path from the node's http://host:port (https gives wss)."""
    base = base.rstrip("/")
    if base.startswith("https://"):
        return "wss://" + base[len("https://"):] + path
    if base.startswith("http://"):
        return "ws://" + base[len("http://"):] + path
    return base + path


def quoted(text):
    """A string as JSON writes it (the JavaScript examples print the same)."""
    return json.dumps(text, ensure_ascii=False)


def compact(value):
    """JSON as the coordinator and JSON.stringify write it (for printing what we send)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def id_list(ids):
    return "[" + ", ".join(str(i) for i in ids) + "]"


def logger(name):
    def log(text):
        print(f"{name}: {text}", flush=True)
    return log


def fail(name, text):
    print(f"{name}: error: {text}", file=sys.stderr, flush=True)
    sys.exit(1)


class Backoff:
    """Reconnect delays: 1 s, 2 s, 4 s ... up to 30 s; reset() after a good session."""

    def __init__(self, first=1.0, most=30.0):
        self.first, self.most, self.next = first, most, first

    def delay(self):
        d, self.next = self.next, min(self.next * 2, self.most)
        return d

    def reset(self):
        self.next = self.first
