#!/usr/bin/python3
"""Numbers from clients that become sizes, offsets or counts are bounded as in
Redis 7.0: no command may crash the server (issue #15)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ServerTestCase, ember_only, main  # noqa: E402

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


if __name__ == "__main__":
    main()
