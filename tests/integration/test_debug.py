"""DEBUG: HELP, DIGEST-VALUE on built-in values, SLEEP, and its errors (ember's
own subset of Redis's DEBUG; module values are covered in test_modules.py)."""

import time
import unittest

import harness
from harness import ServerTestCase, ember_only


@ember_only
class DebugTest(ServerTestCase):
    shards = 2
    server_args = ("--enable-debug-command", "yes")

    def test_help(self):
        lines = self.r.execute_command("DEBUG", "HELP")
        self.assertTrue(lines[0].startswith(b"DEBUG <subcommand>"))
        self.assertIn(b"DIGEST-VALUE <key> [<key> ...]", lines)
        self.assertIn(b"SLEEP <seconds>", lines)

    def test_unknown_subcommand(self):
        with self.assertRaises(harness.redis.ResponseError) as e:
            self.r.execute_command("DEBUG", "NOSUCH")
        self.assertEqual(str(e.exception), "unknown subcommand 'NOSUCH'. Try DEBUG HELP.")

    def test_digest_value(self):
        # Keys on both shards; equal values digest alike, others differently.
        self.r.set("a{1}", "hello")
        self.r.set("a{2}", "hello")
        self.r.set("b", "other")
        self.r.set("n", 12345)
        self.r.rpush("l1", "x", "y")
        self.r.rpush("l2", "y", "x")
        a1, a2, b, n, l1, l2, missing = self.r.execute_command(
            "DEBUG", "DIGEST-VALUE", "a{1}", "a{2}", "b", "n", "l1", "l2", "nosuch")
        self.assertEqual(len(a1), 32)
        self.assertEqual(a1, a2)
        self.assertEqual(missing, b"0" * 32)
        self.assertEqual(len({a1, b, n, l1, l2, missing}), 6)
        self.r.append("b", "!")
        self.assertNotEqual(self.r.execute_command("DEBUG", "DIGEST-VALUE", "b")[0], b)
        self.assertEqual(self.r.execute_command("DEBUG", "DIGEST-VALUE"), [])

    def test_sleep(self):
        start = time.monotonic()
        self.assertTrue(self.r.execute_command("DEBUG", "SLEEP", "0.2"))
        self.assertGreaterEqual(time.monotonic() - start, 0.2)
        self.assertTrue(self.r.execute_command("DEBUG", "SLEEP", "0"))
        for bad in ("-1", "abc"):
            with self.assertRaises(harness.redis.ResponseError) as e:
                self.r.execute_command("DEBUG", "SLEEP", bad)
            self.assertEqual(str(e.exception), "value is not a valid float")
        with self.assertRaises(harness.redis.ResponseError) as e:
            self.r.execute_command("DEBUG")
        self.assertEqual(str(e.exception), "wrong number of arguments for 'debug' command")


if __name__ == "__main__":
    unittest.main()
