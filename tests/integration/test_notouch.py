#!/usr/bin/python3
"""Commands that look at a key without using it (TTL family, TYPE, EXISTS,
OBJECT: Redis's LOOKUP_NOTOUCH) leave its LFU counter alone; GET does not.
A fresh key's counter is 5, and an access at 5 always increments it."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ServerTestCase, main  # noqa: E402


class TestNoTouch(ServerTestCase):
    server_args = ("--maxmemory-policy", "allkeys-lfu")

    def test_lfu_counter_not_raised(self):
        self.assertCmdOk("SET", "k", "v")
        self.assertEqual(self.cmd("OBJECT", "FREQ", "k"), 5)
        for c in (("TTL", "k"), ("PTTL", "k"), ("EXPIRETIME", "k"), ("PEXPIRETIME", "k"), ("TYPE", "k"),
                  ("EXISTS", "k"), ("OBJECT", "ENCODING", "k"), ("OBJECT", "IDLETIME", "k"),
                  ("OBJECT", "REFCOUNT", "k")):
            self.cmd(*c)
            self.assertEqual(self.cmd("OBJECT", "FREQ", "k"), 5, c)
        self.cmd("GET", "k")
        self.assertEqual(self.cmd("OBJECT", "FREQ", "k"), 6)


if __name__ == "__main__":
    main()
