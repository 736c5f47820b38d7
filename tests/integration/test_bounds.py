#!/usr/bin/python3
"""Numbers from clients that become sizes, offsets or counts are bounded as in
Redis 7.0: no command may crash the server (issue #15)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import RespError, ServerTestCase, ember_only, main  # noqa: E402

TOO_BIG = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"


class TestStringBounds(ServerTestCase):

    def test_setrange_huge_offset_is_refused(self):
        self.assertCmdError(TOO_BIG, "SETRANGE", "k", "9223372036854775807", "A")
        self.assertEqual(self.cmd("EXISTS", "k"), 0)
        self.assertEqual(self.cmd("PING"), "PONG")

    def test_setrange_offset_plus_length_overflow_is_refused(self):
        self.assertCmdError(TOO_BIG, "SETRANGE", "k", "9223372036854775806", "ab")
        self.cmd("SET", "k", "x")
        self.assertCmdError(TOO_BIG, "SETRANGE", "k", "9223372036854775806", "ab")
        self.assertEqual(self.cmd("GET", "k"), b"x")


class TestHandlerExceptions(ServerTestCase):

    @ember_only
    def test_allocation_failure_is_one_error_reply(self):
        # Allowed by the limit, an 8 EiB string cannot be allocated: the
        # handler's bad_alloc becomes one -OOM reply and the server lives on.
        self.assertCmdOk("CONFIG", "SET", "proto-max-bulk-len", "9223372036854775807")
        try:
            self.assertCmdError("OOM out of memory while running the command",
                                "SETRANGE", "k", "9223372036854775000", "A")
            self.assertEqual(self.cmd("PING"), "PONG")
            self.assertEqual(self.cmd("EXISTS", "k"), 0)
            stats = self.r.info("stats")
            self.assertEqual(stats["command_exceptions"], 1)
            self.assertEqual(self.r.info("errorstats")["errorstat_OOM"], "count=1")
        finally:
            self.cmd("CONFIG", "SET", "proto-max-bulk-len", "512mb")


class TestThresholdBounds(ServerTestCase):

    def test_latency_threshold_near_int64_max(self):
        # Compared with a command's microseconds: ms * 1000 overflowed (UBSan).
        self.assertCmdOk("CONFIG", "SET", "latency-monitor-threshold", "9223372036854775806")
        try:
            self.cmd("SET", "k", "v")
            self.assertEqual(self.cmd("GET", "k"), b"v")
            self.assertEqual(self.cmd("LATENCY", "LATEST"), [])
        finally:
            self.cmd("CONFIG", "SET", "latency-monitor-threshold", "0")


class TestScanBounds(ServerTestCase):

    def test_scan_huge_count_returns_keys(self):
        for i in range(20):
            self.cmd("SET", "k%d" % i, "v")
        self.cmd("HSET", "h", "f", "v")
        self.cmd("SADD", "s", "m")
        self.cmd("ZADD", "z", "1", "m")
        huge = "922337203685477581"
        cursor, keys = self.cmd("SCAN", "0", "COUNT", huge)
        self.assertEqual(cursor, b"0")
        self.assertEqual(len(keys), 23)
        self.assertEqual(self.cmd("HSCAN", "h", "0", "COUNT", huge), [b"0", [b"f", b"v"]])
        self.assertEqual(self.cmd("SSCAN", "s", "0", "COUNT", huge), [b"0", [b"m"]])
        self.assertEqual(self.cmd("ZSCAN", "z", "0", "COUNT", huge), [b"0", [b"m", b"1"]])


class TestCountedReplies(ServerTestCase):
    """A negative count asks for that many picks with repetitions: its reply
    is bounded by proto-max-bulk-len, not by the data (Redis would build it
    until memory runs out, so these are ember's own)."""

    shards = 4

    def setUp(self):
        super().setUp()
        self.cmd("SADD", "s", "a", "b", "c")
        self.cmd("HSET", "h", "f1", "v1", "f2", "v2")
        self.cmd("ZADD", "z", "1", "a", "2", "b")

    def test_moderate_negative_counts_answer_in_full(self):
        self.assertEqual(len(self.cmd("SRANDMEMBER", "s", "-5000")), 5000)
        self.assertEqual(len(self.cmd("HRANDFIELD", "h", "-5000", "WITHVALUES")), 10000)
        self.assertEqual(len(self.cmd("ZRANDMEMBER", "z", "-5000", "WITHSCORES")), 10000)

    @ember_only
    def test_huge_negative_counts_are_refused_and_the_shard_goes_on(self):
        self.assertCmdOk("CONFIG", "SET", "proto-max-bulk-len", "1mb")
        err = "ERR count is too large: the reply would exceed proto-max-bulk-len"
        try:
            for cmd in (("SRANDMEMBER", "s", "-9223372036854775807"),
                        ("HRANDFIELD", "h", "-4611686018427387903", "WITHVALUES"),
                        ("HRANDFIELD", "h", "-9223372036854775807"),
                        ("ZRANDMEMBER", "z", "-4611686018427387903", "WITHSCORES"),
                        ("ZRANDMEMBER", "z", "-9223372036854775807")):
                self.assertCmdError(err, *cmd)
                self.assertEqual(self.cmd("PING"), "PONG")
            # Pipelined, the replies around the refused one stay in order.
            c = self.s.raw()
            c.send_raw(c.encode("ECHO", "before") + c.encode("SRANDMEMBER", "s", "-9223372036854775807") +
                       c.encode("ECHO", "after"))
            self.assertEqual(c.read(), b"before")
            self.assertEqual(c.read(), RespError(err))
            self.assertEqual(c.read(), b"after")
            c.close()
            self.assertEqual(len(self.cmd("SRANDMEMBER", "s", "-5000")), 5000)
        finally:
            self.cmd("CONFIG", "SET", "proto-max-bulk-len", "512mb")


if __name__ == "__main__":
    main()
