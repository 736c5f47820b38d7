#!/usr/bin/python3
"""redis-cli (7.x) against the server: one-shot commands, --pipe, --scan, -x, -r, -3, --bigkeys."""

import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ServerTestCase, main  # noqa: E402

REDIS_CLI = shutil.which("redis-cli") or ("/usr/bin/redis-cli" if os.path.exists("/usr/bin/redis-cli") else None)


@unittest.skipUnless(REDIS_CLI, "redis-cli not installed")
class TestRedisCli(ServerTestCase):

    def cli(self, *args, stdin=None, expect_rc=0):
        proc = subprocess.run([REDIS_CLI, "-h", "127.0.0.1", "-p", str(self.server.port)] + list(args),
                              input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        if expect_rc is not None:
            self.assertEqual(proc.returncode, expect_rc,
                             "redis-cli %s: rc=%d\n%s%s" % (" ".join(args), proc.returncode,
                                                            proc.stdout.decode(errors="replace"),
                                                            proc.stderr.decode(errors="replace")))
        return proc.stdout.decode(errors="replace")

    def test_ping(self):
        self.assertEqual(self.cli("PING"), "PONG\n")
        self.assertEqual(self.cli("PING", "hi"), "hi\n")

    def test_set_get(self):
        self.assertEqual(self.cli("SET", "foo", "bar"), "OK\n")
        self.assertEqual(self.cli("GET", "foo"), "bar\n")
        self.assertEqual(self.cli("GET", "nokey"), "\n")
        self.assertEqual(self.cli("--no-raw", "GET", "foo"), '"bar"\n')
        self.assertEqual(self.cli("--no-raw", "GET", "nokey"), "(nil)\n")
        self.assertEqual(self.cli("INCR", "n"), "1\n")
        self.assertEqual(self.cli("--no-raw", "INCR", "n"), "(integer) 2\n")
        self.assertEqual(self.cli("MGET", "foo", "nokey", "n"), "bar\n\n2\n")
        self.assertEqual(self.r.get("foo"), b"bar")

    def test_errors(self):
        out = self.cli("GET")
        self.assertIn("ERR wrong number of arguments for 'get' command", out)
        out = self.cli("NOSUCHCMD", "x")
        self.assertIn("ERR unknown command 'NOSUCHCMD', with args beginning with: 'x'", out)

    def test_stdin_arg(self):
        self.assertEqual(self.cli("-x", "SET", "fromstdin", stdin=b"hello\x00world"), "OK\n")
        self.assertEqual(self.r.get("fromstdin"), b"hello\x00world")

    def test_repeat(self):
        self.assertEqual(self.cli("-r", "5", "INCR", "rep"), "1\n2\n3\n4\n5\n")
        self.assertEqual(self.r.get("rep"), b"5")

    def test_pipe_mode(self):
        chunks = []
        for i in range(10000):
            k = b"k%d" % i
            v = b"value-%d" % i
            chunks.append(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v))
        out = self.cli("--pipe", stdin=b"".join(chunks))
        self.assertIn("errors: 0, replies: 10000", out)
        self.assertEqual(self.cli("DBSIZE"), "10000\n")
        self.assertEqual(self.r.get("k9999"), b"value-9999")

    def test_pipe_mode_reports_errors(self):
        out = self.cli("--pipe", stdin=b"SET a 1\r\nINCR a\r\nBADCMD\r\n", expect_rc=1)
        self.assertIn("errors: 1, replies: 3", out)
        self.assertEqual(self.r.get("a"), b"2")

    def test_scan_pattern(self):
        pipe = self.r.pipeline(transaction=False)
        for i in range(500):
            pipe.set("k%d" % i, i)
            pipe.set("other%d" % i, i)
        pipe.execute()
        out = self.cli("--scan", "--pattern", "k*")
        keys = out.split()
        self.assertEqual(len(keys), 500)
        self.assertEqual(set(keys), {"k%d" % i for i in range(500)})
        self.assertEqual(len(self.cli("--scan").split()), 1000)

    def test_info_server(self):
        out = self.cli("INFO", "server")
        lines = [l for l in out.splitlines() if l.startswith("redis_version:")]
        self.assertEqual(len(lines), 1, out)
        self.assertRegex(lines[0], r"^redis_version:\d+\.\d+\.\d+")

    def test_resp3(self):
        out = self.cli("-3", "HELLO", "3")
        self.assertIn("proto 3", out)
        self.assertIn("mode standalone", out)
        self.assertEqual(self.cli("-3", "CONFIG", "GET", "timeout"), "timeout 0\n")
        self.assertEqual(self.cli("-3", "SET", "r3", "v"), "OK\n")
        self.assertEqual(self.cli("-3", "GET", "r3"), "v\n")
        self.assertEqual(self.cli("-3", "--no-raw", "GET", "nokey"), "(nil)\n")

    def test_collection_types(self):
        self.assertEqual(self.cli("HSET", "h", "f", "v"), "1\n")
        self.assertEqual(self.cli("--no-raw", "HGETALL", "h"), '1) "f"\n2) "v"\n')
        self.assertEqual(self.cli("RPUSH", "l", "a", "b"), "2\n")
        self.assertEqual(self.cli("--no-raw", "LRANGE", "l", "0", "-1"), '1) "a"\n2) "b"\n')
        self.assertEqual(self.cli("SADD", "s", "m"), "1\n")
        self.assertEqual(self.cli("SMEMBERS", "s"), "m\n")
        self.assertEqual(self.cli("ZADD", "z", "1.5", "x"), "1\n")
        self.assertEqual(self.cli("--no-raw", "ZRANGE", "z", "0", "-1", "WITHSCORES"), '1) "x"\n2) "1.5"\n')
        self.assertEqual(self.cli("-3", "--no-raw", "ZSCORE", "z", "x"), "(double) 1.5\n")
        self.assertEqual(self.cli("--no-raw", "TYPE", "z"), "zset\n")
        self.assertIn("WRONGTYPE", self.cli("GET", "h"))

    def test_bigkeys(self):
        self.r.set("big", "x" * 1000)
        self.r.set("small", "y")
        self.r.set("n", 12345)
        out = self.cli("--bigkeys")
        self.assertIn("Biggest string found '\"big\"' has 1000 bytes", out)
        self.assertIn("3 strings with 1006 bytes", out)


if __name__ == "__main__":
    main()
