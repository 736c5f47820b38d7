"""COMMAND DOCS: every command's and subcommand's `arguments` tree is the one
redis-server 7.0 gives (name, type, key_spec_index, token, since, flags,
nested arguments), compared against a reference redis-server this test
starts itself."""

import unittest

import harness
from harness import ServerTestCase, RawClient, RespMap, RespSet

# Fields of an argument that Redis 7.0.15 gives but ember does not; only
# CLIENT KILL's old-style ip:port argument has one ("deprecated_since").
IGNORED_FIELDS = {"deprecated_since"}

# Commands whose trees command_args.inc's syntax cannot express yet, so ember
# shows no arguments for them (each: why).
NOT_EXPRESSIBLE = {
    "client|kill",    # argument names "ip:port" and "yes/no" are not words; deprecated_since
    "client|list",    # TYPE is a oneof with a token; ID a block of one argument with a token
    "command|list",   # FILTERBY is a oneof with a token
    "config|get",     # a block of one argument ("parameter")
    "module|loadex",  # ARGS is a block of one argument with a token
    "psubscribe",     # a block of one argument ("pattern")
    "zinter",         # AGGREGATE is a oneof with a token
    "zinterstore",    # AGGREGATE is a oneof with a token
    "zunion",         # AGGREGATE is a oneof with a token
    "zunionstore",    # AGGREGATE is a oneof with a token
}

# The commands with arguments compared must be at least this many.
MIN_COMPARED = 170


def plain(v):
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def pairs(flat):
    return dict(zip(flat[0::2], flat[1::2]))


def argument(flat):
    """A RESP2 argument (a flat name/value list) as a dict, without IGNORED_FIELDS."""
    d = pairs(flat)
    for f in IGNORED_FIELDS:
        d.pop(f, None)
    if "arguments" in d:
        d["arguments"] = [argument(a) for a in d["arguments"]]
    return d


def all_arguments(client):
    """{"set": [...], "config|get": [...], ...}: the arguments of every command
    and subcommand of a RESP2 COMMAND DOCS ([] for those without)."""
    out = {}

    def add(name, doc):
        d = pairs(doc)
        out[name] = [argument(a) for a in d.get("arguments", [])]
        subs = d.get("subcommands", [])
        for sub, subdoc in zip(subs[0::2], subs[1::2]):
            add(sub, subdoc)

    reply = plain(client.execute("COMMAND", "DOCS"))
    for name, doc in zip(reply[0::2], reply[1::2]):
        add(name, doc)
    return out


def wire(v):
    """A RESP3 reply with its types and order kept: a map as ("map", pairs), a
    set as ("set", items)."""
    if isinstance(v, RespMap):
        return ("map", [(wire(k), wire(x)) for k, x in v.pairs])
    if isinstance(v, RespSet):
        return ("set", [wire(x) for x in v])
    if isinstance(v, list):
        return [wire(x) for x in v]
    if isinstance(v, bytes):
        return v.decode()
    return v


class TestCommandDocsArguments(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ref = harness.ReferenceRedis()

    @classmethod
    def tearDownClass(cls):
        cls.ref.stop()
        super().tearDownClass()

    def ref_client(self, protocol=2):
        c = RawClient("127.0.0.1", self.ref.port)
        if protocol == 3:
            c.hello3()
        return c

    def test_every_argument_tree_matches_redis(self):
        with self.ref_client() as ref:
            expected = all_arguments(ref)
        actual = all_arguments(self.c)
        compared = 0
        for name in sorted(set(expected) & set(actual)):
            if name in NOT_EXPRESSIBLE:
                continue
            with self.subTest(command=name):
                self.assertEqual(actual[name], expected[name])
            compared += bool(expected[name])
        self.assertGreaterEqual(compared, MIN_COMPARED)

    def test_resp3_maps_and_flag_sets_as_redis(self):
        with self.ref_client(protocol=3) as ref:
            expected = ref.execute("COMMAND", "DOCS", "SET")
        with self.s.raw(protocol=3) as c:
            actual = c.execute("COMMAND", "DOCS", "SET")
        args = actual[b"set"][b"arguments"]
        self.assertIsInstance(args[2], RespMap)
        self.assertIsInstance(args[2][b"flags"], RespSet)
        self.assertEqual(list(args[2][b"flags"]), ["optional"])
        self.assertEqual(wire(actual[b"set"][b"arguments"]), wire(expected[b"set"][b"arguments"]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
