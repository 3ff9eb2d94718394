#!/usr/bin/env python3
"""Every verdict of checks.py on a clean history and on the fault it is for: the cluster
test's checks can fail. Runs first in tests/cluster/run.py, or alone:
python3 tests/cluster/checks_test.py"""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checks  # noqa: E402


def polls(*statuses, start=0.0, every=0.1):
    """One node's /healthz answers, one per `every` s, each taking 10 ms."""
    return [(start + i * every, start + i * every + 0.01, s, None)
            for i, s in enumerate(statuses)]


class TwoActive(unittest.TestCase):
    def test_handover_with_a_gap_is_fine(self):
        a = polls(200, 200, 200, None, None, None, 503, 503, 503, 503)
        b = polls(503, 503, 503, 503, 503, 503, 503, 200, 200, 200)
        self.assertEqual(checks.two_active({"a": a, "b": b}), [])

    def test_overlapping_runs_are_caught(self):
        a = polls(200, 200, 200, 200, 200, 503)
        b = polls(503, 503, 200, 200, 503, 503, start=0.05)
        self.assertEqual(len(checks.two_active({"a": a, "b": b})), 1)

    def test_a_single_answer_inside_the_others_run_is_caught(self):
        a = polls(200, 200, 200, 200, 200, 200)
        b = [(0.25, 0.26, 200, None)]
        self.assertTrue(checks.two_active({"a": a, "b": b}))

    def test_a_run_is_broken_by_a_timeout(self):
        runs = checks.active_runs(polls(200, None, 200))
        self.assertEqual([(round(a, 3), round(b, 3)) for a, b in runs],
                         [(0.0, 0.01), (0.2, 0.21)])


class Shards(unittest.TestCase):
    def test_held_until_the_close(self):
        events = [(1, "IDENTIFIED", {"shards": [0, 1]}), (2, "SHARDS_ASSIGNED",
                  {"shards": [0]}), (3, "closed", None)]
        self.assertEqual(sorted(checks.holdings(events, 10)), [(0, 1, 3), (1, 1, 2)])

    def test_a_shard_handed_over_after_the_close_is_fine(self):
        held = {"s1": checks.holdings([(1, "IDENTIFIED", {"shards": [0]}),
                                       (3, "closed", None)], 10),
                "s2": checks.holdings([(4, "IDENTIFIED", {"shards": [0]})], 10)}
        self.assertEqual(checks.shard_overlaps(held), [])

    def test_a_shard_held_twice_is_caught(self):
        held = {"s1": checks.holdings([(1, "IDENTIFIED", {"shards": [0, 1]})], 10),
                "s2": checks.holdings([(4, "SHARDS_ASSIGNED", {"shards": [1]})], 10)}
        self.assertEqual(len(checks.shard_overlaps(held)), 1)

    def test_a_sharder_back_in_time_must_get_its_shards(self):
        ok = [(1, "IDENTIFIED", {"shards": [0, 1]}), (2, "closed", None),
              (4, "identify", [0, 1]), (4.1, "IDENTIFIED", {"shards": [1, 0]})]
        self.assertEqual(checks.shards_not_kept(ok, 9), ([], 1))
        bad = ok[:3] + [(4.1, "IDENTIFIED", {"shards": [2, 3]})]
        self.assertEqual(len(checks.shards_not_kept(bad, 9)[0]), 1)
        late = ok[:2] + [(12, "identify", [0, 1]), (12.1, "IDENTIFIED", {"shards": [2, 3]})]
        self.assertEqual(checks.shards_not_kept(late, 9), ([], 0))


class Grants(unittest.TestCase):
    def test_five_seconds_apart_is_fine(self):
        self.assertEqual(checks.close_grants({0: [1.0, 6.0, 11.5]}, 0.3), [])

    def test_two_grants_within_five_seconds_are_caught(self):
        self.assertEqual(len(checks.close_grants({0: [1.0, 6.0], 1: [2.0, 4.0]}, 0.3)), 1)


class Writes(unittest.TestCase):
    writes = [(1, "g", 0, 0, 200), (2, "g", 0, 0, 200), (3, "g", 0, 0, None),
              (4, "h", 0, 0, 503)]

    def test_the_last_acknowledged_or_a_later_attempt_is_fine(self):
        for value in ("w2", "w3"):
            self.assertEqual(checks.lost_writes(self.writes, ["g", "h"], {"g": value}, "x"),
                             [])

    def test_an_older_value_or_one_never_written_is_caught(self):
        for value in ("w1", "w9", None, "!"):
            self.assertEqual(len(checks.lost_writes(self.writes, ["g"], {"g": value}, "x")), 1)

    def test_duplicates(self):
        self.assertEqual(checks.duplicates(["a", "b", "a"]), ["a"])


def run():
    """True when every case passes (printed only on failure)."""
    result = unittest.TextTestRunner(stream=open(os.devnull, "w")).run(
        unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__]))
    for _, trace in result.failures + result.errors:
        print(trace, file=sys.stderr)
    return result.wasSuccessful(), result.testsRun


if __name__ == "__main__":
    unittest.main()
