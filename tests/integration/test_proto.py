#!/usr/bin/python3
"""The proto module (build/modules/proto.so, loaded with --loadmodule):
PROTO.REGISTER SCHEMAS DESCRIBE SET GET TYPE GETFIELD SETFIELD DELFIELD with
real messages. The schema is tests/integration/proto/{person,order}.proto,
compiled by protoc at build time into build/modules/proto_test.desc; the
messages are built here with python3-protobuf from that descriptor set.
Also: the "protomsg" type under the keyspace commands (TYPE DEL EXPIRE
MEMORY USAGE DUMP/RESTORE COPY DEBUG DIGEST-VALUE), several shards, redis-cli,
RESP3, and a restart with the AOF and with a snapshot."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ServerTestCase, RespError, RespMap, RespDouble, RESP3_NULL, main  # noqa: E402
from harness import NOT_INT, SYNTAX, WRONGTYPE, arity, is_ember, module_path, start_server  # noqa: E402
from modutil import keys_on_distinct_shards, wait_until  # noqa: E402

PROTO_SO = module_path("proto")
DESC_PATH = os.path.join(os.path.dirname(PROTO_SO), "proto_test.desc")
REDIS_CLI = shutil.which("redis-cli")


def load_schema():
    with open(DESC_PATH, "rb") as f:
        data = f.read()
    fds = descriptor_pb2.FileDescriptorSet.FromString(data)
    pool = descriptor_pool.DescriptorPool()
    for f in fds.file:
        pool.Add(f)
    factory = message_factory.MessageFactory(pool)
    types = {name: factory.GetPrototype(pool.FindMessageTypeByName(name))
             for name in ("embertest.Person", "embertest.Address", "embertest.legacy.Order")}
    return data, fds, types


SCHEMA, FDS, TYPES = load_schema() if os.path.exists(DESC_PATH) else (b"", None, {})
Person = TYPES.get("embertest.Person")
Address = TYPES.get("embertest.Address")
Order = TYPES.get("embertest.legacy.Order")
PERSON = "embertest.Person"
ORDER = "embertest.legacy.Order"

ALL_TYPES = ["embertest.Geo", "embertest.Address", "embertest.Person", "embertest.legacy.Order",
             "embertest.legacy.Order.Line", "embertest.legacy.Order.Legacy"]


def file_set(*files):
    """A FileDescriptorSet of these FileDescriptorProtos, encoded."""
    s = descriptor_pb2.FileDescriptorSet()
    for f in files:
        s.file.add().CopyFrom(f)
    return s.SerializeToString()


def person_file():
    return next(f for f in FDS.file if f.name == "person.proto")


def sample_person():
    p = Person(name="Ann", age=30, tags=["a", "b"], scores=[3, -1, 7], active=True, big=-(2 ** 40),
               ubig=2 ** 63 + 5, delta=-7, f64=2 ** 64 - 1, sf32=-9, blob=b"\x00\xff\r\n", score=2.5,
               ratio=0.25, role=2, u32=4000000000, delta64=-(2 ** 50))
    p.address.city = "Oslo"
    p.address.zip = 150
    p.address.geo.lat = 59.91
    p.counters["x"] = 5
    p.email = "ann@example.com"
    p.previous.add(city="Bergen")
    p.previous.add(city="Trondheim", zip=7)
    return p


@unittest.skipUnless(is_ember(), "the proto module is ember's")
class ProtoCase(ServerTestCase):
    server_args = ["--enable-debug-command", "yes", "--loadmodule", PROTO_SO]

    def setUp(self):
        super().setUp()
        # The registry is the server's (FLUSHALL keeps it); registering the
        # same set again is a no-op.
        self.assertEqual(self.cmd("PROTO.REGISTER", "shop", SCHEMA), "OK")

    def put(self, key, msg, type_name=PERSON, *options):
        return self.cmd("PROTO.SET", key, type_name, msg.SerializeToString(), *options)

    def field(self, key, path):
        return self.cmd("PROTO.GETFIELD", key, path)

    def stored(self, key, cls=None):
        return (cls or Person).FromString(self.cmd("PROTO.GET", key))


class TestRegister(ProtoCase):

    def test_schemas_and_describe(self):
        self.assertIn(b"shop", self.cmd("PROTO.SCHEMAS"))
        self.assertEqual([t.decode() for t in self.cmd("PROTO.DESCRIBE", "shop")], ALL_TYPES)
        self.assertCmdError("ERR no schema named 'nope'", "PROTO.DESCRIBE", "nope")

    def test_identical_register_is_ok(self):
        before = self.cmd("PROTO.SCHEMAS")
        self.assertEqual(self.cmd("PROTO.REGISTER", "shop", SCHEMA), "OK")
        self.assertEqual(self.cmd("PROTO.SCHEMAS"), before)

    def test_identical_up_to_source_info(self):
        s = descriptor_pb2.FileDescriptorSet.FromString(SCHEMA)
        s.file[0].source_code_info.location.add(path=[4, 0], span=[1, 2, 3])
        self.assertEqual(self.cmd("PROTO.REGISTER", "shop", s.SerializeToString()), "OK")

    def test_incompatible_reregister(self):
        self.assertCmdError("ERR schema 'shop' is already registered with a different descriptor",
                            "PROTO.REGISTER", "shop", file_set(person_file()))

    def test_second_schema_shares_a_file(self):
        self.assertEqual(self.cmd("PROTO.REGISTER", "people", file_set(person_file())), "OK")
        self.assertEqual([t.decode() for t in self.cmd("PROTO.DESCRIBE", "people")],
                         ["embertest.Geo", "embertest.Address", "embertest.Person"])
        schemas = self.cmd("PROTO.SCHEMAS")
        self.assertLess(schemas.index(b"shop"), schemas.index(b"people"))  # registration order

    def test_changed_file_is_refused(self):
        changed = descriptor_pb2.FileDescriptorProto()
        changed.CopyFrom(person_file())
        changed.message_type[0].field.add(name="extra", number=9, type=9, label=1)
        before = self.cmd("PROTO.SCHEMAS")
        self.assertCmdError("ERR file 'person.proto' is already registered with different content",
                            "PROTO.REGISTER", "v2", file_set(changed))
        self.assertEqual(self.cmd("PROTO.SCHEMAS"), before)

    def test_clashing_symbol_is_refused(self):
        clash = descriptor_pb2.FileDescriptorProto(name="clash.proto", package="embertest", syntax="proto3")
        clash.message_type.add(name="Person")
        reply = self.cmd("PROTO.REGISTER", "clash", file_set(clash))
        self.assertIsInstance(reply, RespError)
        self.assertTrue(reply.message.startswith("ERR invalid schema: clash.proto"), reply.message)
        self.assertIn("embertest.Person", reply.message)
        self.assertNotIn(b"clash", self.cmd("PROTO.SCHEMAS"))
        # Nothing of the refused set was kept: a correct file of that name registers.
        good = descriptor_pb2.FileDescriptorProto(name="clash.proto", package="other", syntax="proto3")
        good.message_type.add(name="Person")
        self.assertEqual(self.cmd("PROTO.REGISTER", "clash", file_set(good)), "OK")
        self.assertEqual(self.cmd("PROTO.DESCRIBE", "clash"), [b"other.Person"])

    def test_missing_import_is_refused(self):
        f = descriptor_pb2.FileDescriptorProto(name="lonely.proto", package="lonely", dependency=["nowhere.proto"])
        reply = self.cmd("PROTO.REGISTER", "lonely", file_set(f))
        self.assertIsInstance(reply, RespError)
        self.assertTrue(reply.message.startswith("ERR invalid schema: lonely.proto"), reply.message)
        self.assertIn("nowhere.proto", reply.message)

    def test_not_a_descriptor_set(self):
        bad = ("ERR the descriptor is not a compiled FileDescriptorSet "
               "(protoc --descriptor_set_out --include_imports)")
        self.assertCmdError(bad, "PROTO.REGISTER", "x", b"\xff\xff\xff")
        self.assertCmdError(bad, "PROTO.REGISTER", "x", b"")
        self.assertCmdError("ERR the schema name is empty", "PROTO.REGISTER", "", SCHEMA)
        self.assertCmdError("ERR the descriptor set has a file without a name", "PROTO.REGISTER", "x",
                            file_set(descriptor_pb2.FileDescriptorProto(package="p")))

    def test_arity(self):
        self.assertCmdError(arity("proto.register"), "PROTO.REGISTER", "x")
        self.assertCmdError(arity("proto.describe"), "PROTO.DESCRIBE")
        self.assertCmdError(arity("proto.schemas"), "PROTO.SCHEMAS", "x")

    def test_command_info(self):
        info = self.cmd("COMMAND", "INFO", "proto.register", "proto.get", "proto.set")
        by_name = {entry[0]: entry for entry in info}
        flags = {name: {f.decode() if isinstance(f, bytes) else f for f in entry[2]} for name, entry in by_name.items()}
        self.assertIn("write", flags[b"proto.register"])  # the AOF replays it
        self.assertIn("write", flags[b"proto.set"])
        self.assertIn("readonly", flags[b"proto.get"])
        self.assertEqual(by_name[b"proto.get"][3:6], [1, 1, 1])
        self.assertEqual(by_name[b"proto.register"][3:6], [0, 0, 0])


class TestSetGet(ProtoCase):

    def test_round_trip(self):
        p = sample_person()
        self.assertEqual(self.put("k", p), "OK")
        self.assertEqual(self.cmd("PROTO.GET", "k"), p.SerializeToString())
        self.assertEqual(self.stored("k"), p)
        self.assertEqual(self.cmd("PROTO.TYPE", "k"), b"embertest.Person")
        self.assertEqual(self.cmd("TYPE", "k"), "protomsg")

    def test_bytes_are_kept_as_given(self):
        # Two occurrences of a field: valid, and answered exactly as stored.
        data = Person(age=1).SerializeToString() + Person(age=2, name="x").SerializeToString()
        self.assertEqual(self.cmd("PROTO.SET", "k", PERSON, data), "OK")
        self.assertEqual(self.cmd("PROTO.GET", "k"), data)
        self.assertEqual(self.field("k", "age"), 2)

    def test_empty_message(self):
        self.assertEqual(self.cmd("PROTO.SET", "k", PERSON, b""), "OK")
        self.assertEqual(self.cmd("PROTO.GET", "k"), b"")
        self.assertEqual(self.field("k", "name"), b"")

    def test_missing_key(self):
        self.assertIsNone(self.cmd("PROTO.GET", "nokey"))
        self.assertIsNone(self.cmd("PROTO.TYPE", "nokey"))
        self.assertIsNone(self.field("nokey", "name"))

    def test_unknown_type(self):
        self.assertCmdError("ERR unknown message type 'embertest.Nope' (PROTO.REGISTER its schema first)",
                            "PROTO.SET", "k", "embertest.Nope", b"")
        self.assertCmdError("ERR unknown message type 'Person' (PROTO.REGISTER its schema first)",
                            "PROTO.SET", "k", "Person", b"")
        self.assertEqual(self.r.exists("k"), 0)

    def test_bytes_that_do_not_parse(self):
        self.assertCmdError("ERR the data is not a valid embertest.Person message", "PROTO.SET", "k", PERSON,
                            b"\x0a\x10short")
        self.assertCmdError("ERR the data is not a valid embertest.Person message", "PROTO.SET", "k", PERSON,
                            b"\xff\xff\xff\xff")
        # proto2: a required field missing.
        self.assertCmdError("ERR the data is not a valid embertest.legacy.Order message", "PROTO.SET", "k",
                            ORDER, Order(note="x").SerializePartialToString())
        # A field of the wrong wire type for its number is still valid
        # protobuf (an unknown field): accepted, read as unset.
        self.assertEqual(self.cmd("PROTO.SET", "k", PERSON, b"\x15\x01\x00\x00\x00"), "OK")
        self.assertEqual(self.field("k", "age"), 0)
        self.assertEqual(self.r.exists("k") and self.cmd("PROTO.GET", "k"), b"\x15\x01\x00\x00\x00")

    def test_expiry_options(self):
        p = Person(name="a").SerializeToString()
        self.assertEqual(self.cmd("PROTO.SET", "k", PERSON, p, "EX", "100"), "OK")
        self.assertTrue(95 <= self.r.ttl("k") <= 100)
        self.assertEqual(self.cmd("PROTO.SET", "k", PERSON, p, "px", "100000"), "OK")
        self.assertTrue(95000 <= self.r.pttl("k") <= 100000)
        # As SET: a new value without EX/PX drops the expiry.
        self.assertEqual(self.cmd("PROTO.SET", "k", PERSON, p), "OK")
        self.assertEqual(self.r.ttl("k"), -1)
        self.assertEqual(self.cmd("PROTO.SET", "k", PERSON, p, "PX", "1"), "OK")
        wait_until(lambda: not self.r.exists("k"), "the key to expire")

    def test_nx_xx(self):
        p = Person(name="a").SerializeToString()
        q = Person(name="b").SerializeToString()
        self.assertIsNone(self.cmd("PROTO.SET", "k", PERSON, p, "XX"))
        self.assertEqual(self.r.exists("k"), 0)
        self.assertEqual(self.cmd("PROTO.SET", "k", PERSON, p, "NX"), "OK")
        self.assertIsNone(self.cmd("PROTO.SET", "k", PERSON, q, "nx"))
        self.assertEqual(self.cmd("PROTO.GET", "k"), p)
        self.assertEqual(self.cmd("PROTO.SET", "k", PERSON, q, "XX", "EX", "50"), "OK")
        self.assertEqual(self.cmd("PROTO.GET", "k"), q)
        self.assertTrue(0 < self.r.ttl("k") <= 50)
        self.r.set("s", "string")
        self.assertIsNone(self.cmd("PROTO.SET", "s", PERSON, p, "NX"))

    def test_option_errors(self):
        p = Person(name="a").SerializeToString()
        self.assertCmdError(SYNTAX, "PROTO.SET", "k", PERSON, p, "NX", "XX")
        self.assertCmdError(SYNTAX, "PROTO.SET", "k", PERSON, p, "EX", "1", "PX", "1")
        self.assertCmdError(SYNTAX, "PROTO.SET", "k", PERSON, p, "EX")
        self.assertCmdError(SYNTAX, "PROTO.SET", "k", PERSON, p, "KEEPTTL")
        self.assertCmdError(NOT_INT, "PROTO.SET", "k", PERSON, p, "EX", "ten")
        self.assertCmdError("ERR invalid expire time in 'proto.set' command", "PROTO.SET", "k", PERSON, p, "EX", "0")
        self.assertCmdError("ERR invalid expire time in 'proto.set' command", "PROTO.SET", "k", PERSON, p, "PX",
                            "-5")
        self.assertCmdError("ERR invalid expire time in 'proto.set' command", "PROTO.SET", "k", PERSON, p, "EX",
                            str(2 ** 62))
        self.assertCmdError(arity("proto.set"), "PROTO.SET", "k", PERSON)
        self.assertCmdError(arity("proto.get"), "PROTO.GET")
        self.assertEqual(self.r.exists("k"), 0)

    def test_wrongtype_both_ways(self):
        self.r.set("s", "v")
        self.assertCmdError(WRONGTYPE, "PROTO.GET", "s")
        self.assertCmdError(WRONGTYPE, "PROTO.TYPE", "s")
        self.assertCmdError(WRONGTYPE, "PROTO.GETFIELD", "s", "name")
        self.assertCmdError(WRONGTYPE, "PROTO.SETFIELD", "s", "name", "x")
        self.assertCmdError(WRONGTYPE, "PROTO.DELFIELD", "s", "name")
        self.put("k", Person(name="a"))
        self.assertCmdError(WRONGTYPE, "GET", "k")
        # PROTO.SET replaces any value, as SET does.
        self.assertEqual(self.put("s", Person(name="b")), "OK")
        self.assertEqual(self.cmd("TYPE", "s"), "protomsg")

    def test_keyspace_commands(self):
        p = sample_person()
        self.put("k", p)
        self.assertEqual(self.r.expire("k", 100), True)
        self.assertTrue(0 < self.r.ttl("k") <= 100)
        usage = self.r.memory_usage("k")
        self.assertGreater(usage, len(p.SerializeToString()))
        self.assertEqual(self.r.copy("k", "k2"), True)
        self.assertEqual(self.cmd("PROTO.GET", "k2"), p.SerializeToString())
        self.assertEqual(self.cmd("DEBUG", "DIGEST-VALUE", "k"), self.cmd("DEBUG", "DIGEST-VALUE", "k2"))
        self.cmd("PROTO.SETFIELD", "k2", "age", "31")
        self.assertNotEqual(self.cmd("DEBUG", "DIGEST-VALUE", "k"), self.cmd("DEBUG", "DIGEST-VALUE", "k2"))
        self.assertEqual(self.field("k", "age"), 30)  # the copy is deep
        self.assertEqual(self.r.delete("k", "k2"), 2)
        self.assertEqual(self.r.exists("k"), 0)

    def test_dump_restore(self):
        p = sample_person()
        self.put("k", p)
        payload = self.r.dump("k")
        self.assertEqual(self.cmd("RESTORE", "k2", "0", payload), "OK")
        self.assertEqual(self.cmd("PROTO.GET", "k2"), p.SerializeToString())
        self.assertEqual(self.cmd("PROTO.TYPE", "k2"), b"embertest.Person")
        self.assertEqual(self.field("k2", "address.city"), b"Oslo")
        self.assertIsInstance(self.cmd("RESTORE", "k2", "0", payload), RespError)  # BUSYKEY

    def test_keyspace_notifications_and_watch(self):
        self.put("k", Person(name="a"))
        w = self.s.client()
        try:
            pipe = w.pipeline()
            pipe.watch("k")
            self.cmd("PROTO.SETFIELD", "k", "name", "b")
            pipe.multi()
            pipe.get("other")
            with self.assertRaises(Exception):
                pipe.execute()
        finally:
            w.close()


class TestGetField(ProtoCase):

    def setUp(self):
        super().setUp()
        self.p = sample_person()
        self.put("k", self.p)

    def test_scalars(self):
        expect = {
            "name": b"Ann", "age": 30, "active": 1, "big": -(2 ** 40), "delta": -7, "sf32": -9,
            "blob": b"\x00\xff\r\n", "role": b"USER", "u32": 4000000000, "delta64": -(2 ** 50),
            "email": b"ann@example.com",
        }
        for path, want in expect.items():
            self.assertEqual(self.field("k", path), want, path)
        # Beyond a RESP integer: decimal text.
        self.assertEqual(self.field("k", "ubig"), str(2 ** 63 + 5).encode())
        self.assertEqual(self.field("k", "f64"), str(2 ** 64 - 1).encode())
        # Doubles are bulk strings in RESP2.
        self.assertEqual(float(self.field("k", "score")), 2.5)
        self.assertEqual(float(self.field("k", "ratio")), 0.25)

    def test_negative_int32_and_enum_numbers(self):
        self.put("n", Person(age=-5, role=9))
        self.assertEqual(self.field("n", "age"), -5)
        # An open (proto3) enum keeps numbers it does not declare.
        self.assertEqual(self.field("n", "role"), 9)

    def test_nested_paths(self):
        self.assertEqual(self.field("k", "address.city"), b"Oslo")
        self.assertEqual(self.field("k", "address.zip"), 150)
        self.assertEqual(float(self.field("k", "address.geo.lat")), 59.91)
        self.assertEqual(Address.FromString(self.field("k", "address")), self.p.address)

    def test_unset_fields(self):
        self.put("e", Person(name="x"))
        # No presence (proto3 implicit): the default.
        self.assertEqual(self.field("e", "age"), 0)
        self.assertEqual(self.field("e", "role"), b"ROLE_UNSPECIFIED")
        self.assertEqual(self.field("e", "blob"), b"")
        self.assertEqual(self.field("e", "address.city"), b"")
        self.assertEqual(float(self.field("e", "address.geo.lat")), 0.0)
        # Presence (proto3 optional, messages, oneof members): a null.
        self.assertIsNone(self.field("e", "nickname"))
        self.assertIsNone(self.field("e", "level"))
        self.assertIsNone(self.field("e", "address"))
        self.assertIsNone(self.field("e", "email"))
        self.put("e", Person(nickname="", level=0))
        self.assertEqual(self.field("e", "nickname"), b"")
        self.assertEqual(self.field("e", "level"), 0)

    def test_proto2(self):
        o = Order(id=7, status=2)
        o.buyer.name = "Bo"
        self.assertEqual(self.put("o", o, ORDER), "OK")
        self.assertEqual(self.field("o", "id"), 7)
        self.assertEqual(self.field("o", "status"), b"SHIPPED")
        self.assertEqual(self.field("o", "buyer.name"), b"Bo")
        # proto2 optional fields have presence: null when unset, even with a default.
        self.assertIsNone(self.field("o", "note"))
        self.assertIsNone(self.field("o", "quantity"))
        self.assertIsNone(self.field("o", "first_line"))
        self.assertIsNone(self.field("o", "first_line.sku"))
        self.assertEqual(self.cmd("PROTO.TYPE", "o"), b"embertest.legacy.Order")

    def test_groups(self):
        o = Order(id=3, checksum=0xFFFFFFFF)
        o.legacy.code = -4
        self.assertEqual(self.put("o", o, ORDER), "OK")
        # Read past the group on the wire, and into it from the parsed message.
        self.assertEqual(self.field("o", "checksum"), 0xFFFFFFFF)
        self.assertEqual(self.field("o", "id"), 3)
        self.assertEqual(self.field("o", "legacy.code"), -4)
        self.assertEqual(self.cmd("PROTO.SETFIELD", "o", "legacy.code", "5"), "OK")
        self.assertEqual(self.stored("o", Order).legacy.code, 5)
        self.assertEqual(self.cmd("PROTO.DELFIELD", "o", "legacy"), 1)
        self.assertIsNone(self.field("o", "legacy.code"))
        # A group that is never closed is not a message.
        self.assertCmdError("ERR the data is not a valid embertest.legacy.Order message", "PROTO.SET", "x", ORDER,
                            b"\x08\x01\x43\x48\x01")

    def test_repeated_and_map(self):
        self.assertEqual(self.field("k", "tags"), [b"a", b"b"])
        self.assertEqual(self.field("k", "scores"), [3, -1, 7])
        prev = self.field("k", "previous")
        self.assertEqual([Address.FromString(b) for b in prev], list(self.p.previous))
        self.assertEqual(self.field("k", "counters"), [b"x", 5])
        self.assertEqual(self.field("k", "address.geo.lat") is not None, True)
        self.put("o", Order(id=1, prices=[1.5, 2.0]), ORDER)
        self.assertEqual([float(x) for x in self.field("o", "prices")], [1.5, 2.0])
        self.put("e", Person())
        self.assertEqual(self.field("e", "tags"), [])
        self.assertEqual(self.field("e", "counters"), [])

    def test_resp3(self):
        c = self.s.raw(protocol=3)
        try:
            score = c.execute("PROTO.GETFIELD", "k", "score")
            self.assertIsInstance(score, RespDouble)
            self.assertEqual(score, 2.5)
            self.assertEqual(c.execute("PROTO.GETFIELD", "k", "ratio"), 0.25)
            self.assertEqual(c.execute("PROTO.GETFIELD", "k", "counters"), RespMap([(b"x", 5)]))
            self.assertIs(c.execute("PROTO.GETFIELD", "k", "nickname"), RESP3_NULL)
            self.assertEqual(c.execute("PROTO.GETFIELD", "k", "age"), 30)
        finally:
            c.close()

    def test_float_answers_its_shortest_form(self):
        self.put("f", Person(ratio=0.1))
        c = self.s.raw(protocol=3)
        try:
            self.assertEqual(c.execute("PROTO.GETFIELD", "f", "ratio"), 0.1)
        finally:
            c.close()

    def test_parser_rules_on_the_stored_bytes(self):
        # Scalars: the last occurrence wins. Messages: occurrences merge.
        a = Person(age=1, name="first")
        a.address.city = "A"
        a.address.zip = 1
        b = Person(age=2)
        b.address.zip = 2
        self.cmd("PROTO.SET", "m", PERSON, a.SerializeToString() + b.SerializeToString())
        self.assertEqual(self.field("m", "age"), 2)
        self.assertEqual(self.field("m", "name"), b"first")
        self.assertEqual(self.field("m", "address.city"), b"A")
        self.assertEqual(self.field("m", "address.zip"), 2)
        self.assertEqual(self.field("m", "tags"), [])
        # A oneof: a later member clears the earlier one.
        self.cmd("PROTO.SET", "o", PERSON, Person(email="e").SerializeToString() + Person(phone="p").SerializeToString())
        self.assertIsNone(self.field("o", "email"))
        self.assertEqual(self.field("o", "phone"), b"p")
        self.cmd("PROTO.SET", "o", PERSON, Person(phone="p").SerializeToString() + Person(email="e").SerializeToString())
        self.assertEqual(self.field("o", "email"), b"e")
        self.assertIsNone(self.field("o", "phone"))

    def test_path_errors(self):
        self.assertCmdError("ERR no field 'nope' in message embertest.Person", "PROTO.GETFIELD", "k", "nope")
        self.assertCmdError("ERR no field 'town' in message embertest.Address", "PROTO.GETFIELD", "k",
                            "address.town")
        self.assertCmdError("ERR field 'age' is not a message: no field 'x' in it", "PROTO.GETFIELD", "k", "age.x")
        self.assertCmdError("ERR field 'previous' is repeated: a path goes through singular message fields only",
                            "PROTO.GETFIELD", "k", "previous.city")
        self.assertCmdError("ERR field 'counters' is a map: a path goes through singular message fields only",
                            "PROTO.GETFIELD", "k", "counters.x")
        for bad in ("", ".", "address.", ".age", "address..city"):
            self.assertCmdError("ERR bad field path '%s'" % bad, "PROTO.GETFIELD", "k", bad)
        deep = ".".join(["address"] * 32 + ["city"])
        self.assertCmdError("ERR field path '%s' is deeper than 32 fields" % deep, "PROTO.GETFIELD", "k", deep)
        self.assertCmdError(arity("proto.getfield"), "PROTO.GETFIELD", "k")

    @unittest.skipUnless(REDIS_CLI, "redis-cli not installed")
    def test_redis_cli(self):
        def cli(*args):
            return subprocess.run([REDIS_CLI, "-p", str(self.s.port)] + list(args), capture_output=True,
                                  timeout=10).stdout.decode()
        self.assertEqual(cli("PROTO.GETFIELD", "k", "address.city"), "Oslo\n")
        # Not a terminal: redis-cli prints raw values.
        self.assertEqual(cli("PROTO.GETFIELD", "k", "age"), "30\n")
        self.assertEqual(cli("PROTO.GETFIELD", "k", "tags"), "a\nb\n")
        self.assertEqual(cli("PROTO.GETFIELD", "k", "nickname"), "\n")
        self.assertEqual(cli("PROTO.SETFIELD", "k", "address.city", "Bergen"), "OK\n")
        self.assertEqual(cli("PROTO.GETFIELD", "k", "address.city"), "Bergen\n")
        self.assertEqual(cli("PROTO.TYPE", "k"), "embertest.Person\n")
        self.assertEqual(cli("-3", "PROTO.GETFIELD", "k", "score"), "2.5\n")
        err = cli("PROTO.GETFIELD", "k", "nope")
        self.assertIn("no field 'nope' in message embertest.Person", err)
        # A descriptor set and a message as files, through -x (the last argument from stdin).
        p = Person(name="cli", age=5).SerializeToString()
        self.assertEqual(subprocess.run([REDIS_CLI, "-p", str(self.s.port), "-x", "PROTO.SET", "c", PERSON],
                                        input=p, capture_output=True, timeout=10).stdout, b"OK\n")
        self.assertEqual(cli("PROTO.GETFIELD", "c", "name"), "cli\n")


class TestSetField(ProtoCase):

    def setUp(self):
        super().setUp()
        self.put("k", sample_person())

    def set_and_get(self, path, value):
        self.assertEqual(self.cmd("PROTO.SETFIELD", "k", path, value), "OK", path)
        return self.field("k", path)

    def test_every_scalar_kind(self):
        self.assertEqual(self.set_and_get("name", "Bea"), b"Bea")
        self.assertEqual(self.set_and_get("age", "-2147483648"), -2147483648)
        self.assertEqual(self.set_and_get("big", "9223372036854775807"), 2 ** 63 - 1)
        self.assertEqual(self.set_and_get("ubig", "18446744073709551615"), str(2 ** 64 - 1).encode())
        self.assertEqual(self.set_and_get("u32", "4294967295"), 2 ** 32 - 1)
        self.assertEqual(self.set_and_get("delta", "-100"), -100)
        self.assertEqual(self.set_and_get("delta64", "-5"), -5)
        self.assertEqual(self.set_and_get("f64", "42"), 42)
        self.assertEqual(self.set_and_get("sf32", "-1"), -1)
        self.assertEqual(float(self.set_and_get("score", "-1.5e3")), -1500.0)
        self.assertEqual(float(self.set_and_get("ratio", "0.5")), 0.5)
        self.assertEqual(float(self.set_and_get("score", "inf")), float("inf"))
        self.assertEqual(self.set_and_get("blob", b"\x00\x01\xfe"), b"\x00\x01\xfe")
        for text, want in (("true", 1), ("FALSE", 0), ("1", 1), ("0", 0)):
            self.assertEqual(self.set_and_get("active", text), want)
        self.assertEqual(self.set_and_get("role", "ADMIN"), b"ADMIN")
        self.assertEqual(self.set_and_get("role", "2"), b"USER")
        self.assertEqual(self.set_and_get("role", "77"), 77)  # open enum
        self.assertEqual(self.set_and_get("nickname", ""), b"")
        p = self.stored("k")
        self.assertEqual((p.name, p.age, p.ubig, p.blob, p.role, p.nickname), ("Bea", -2 ** 31, 2 ** 64 - 1,
                                                                                b"\x00\x01\xfe", 77, ""))
        self.assertTrue(p.HasField("nickname"))
        # Untouched fields survive the re-encoding.
        self.assertEqual(list(p.tags), ["a", "b"])
        self.assertEqual(p.counters["x"], 5)

    def test_nested_paths_are_created(self):
        self.put("e", Person())
        self.assertEqual(self.cmd("PROTO.SETFIELD", "e", "address.geo.lat", "1.25"), "OK")
        p = self.stored("e")
        self.assertTrue(p.HasField("address"))
        self.assertEqual(p.address.geo.lat, 1.25)
        self.assertEqual(self.cmd("PROTO.SETFIELD", "e", "address.city", "Oslo"), "OK")
        self.assertEqual(self.field("e", "address.city"), b"Oslo")
        self.assertEqual(self.field("e", "address.geo.lat"), b"1.25")

    def test_oneof_switches(self):
        self.assertEqual(self.cmd("PROTO.SETFIELD", "k", "phone", "555"), "OK")
        self.assertIsNone(self.field("k", "email"))
        self.assertEqual(self.stored("k").WhichOneof("contact"), "phone")

    def test_proto2(self):
        self.put("o", Order(id=1), ORDER)
        self.assertEqual(self.cmd("PROTO.SETFIELD", "o", "status", "SHIPPED"), "OK")
        self.assertEqual(self.cmd("PROTO.SETFIELD", "o", "status", "1"), "OK")
        self.assertEqual(self.field("o", "status"), b"NEW")
        # A closed enum takes only its declared numbers.
        self.assertCmdError("ERR no value 7 in enum embertest.legacy.Order.Status", "PROTO.SETFIELD", "o", "status",
                            "7")
        self.assertCmdError("ERR no value 'LOST' in enum embertest.legacy.Order.Status", "PROTO.SETFIELD", "o",
                            "status", "LOST")
        self.assertEqual(self.cmd("PROTO.SETFIELD", "o", "quantity", "3"), "OK")
        self.assertEqual(self.field("o", "quantity"), 3)
        # A message the path would create still misses its required sku.
        before = self.cmd("PROTO.GET", "o")
        reply = self.cmd("PROTO.SETFIELD", "o", "first_line.count", "2")
        self.assertIsInstance(reply, RespError)
        self.assertTrue(reply.message.startswith("ERR the message would miss required fields: "), reply.message)
        self.assertIn("first_line.sku", reply.message)
        self.assertEqual(self.cmd("PROTO.GET", "o"), before)
        self.assertEqual(self.cmd("PROTO.SETFIELD", "o", "first_line.sku", "S1"), "OK")
        self.assertEqual(self.cmd("PROTO.SETFIELD", "o", "first_line.count", "2"), "OK")
        o = self.stored("o", Order)
        self.assertEqual((o.status, o.quantity, o.first_line.sku, o.first_line.count), (1, 3, "S1", 2))

    def test_wrong_kind_of_value(self):
        cases = [
            ("age", "12x", "ERR field 'age' is int32: value is not an integer in its range"),
            ("age", "2147483648", "ERR field 'age' is int32: value is not an integer in its range"),
            ("age", "", "ERR field 'age' is int32: value is not an integer in its range"),
            ("age", " 1", "ERR field 'age' is int32: value is not an integer in its range"),
            ("u32", "-1", "ERR field 'u32' is uint32: value is not an integer in its range"),
            ("ubig", "18446744073709551616", "ERR field 'ubig' is uint64: value is not an integer in its range"),
            ("score", "abc", "ERR field 'score' is double: value is not a number"),
            ("score", "1e999", "ERR field 'score' is double: value is not a number"),
            ("ratio", "1e39", "ERR field 'ratio' is float: value is not a number in its range"),
            ("active", "yes", "ERR field 'active' is bool: value is not a bool (true, false, 1 or 0)"),
            ("role", "OWNER", "ERR no value 'OWNER' in enum embertest.Role"),
            ("name", b"\xff\xfe", "ERR field 'name' is string: value is not valid UTF-8"),
        ]
        before = self.cmd("PROTO.GET", "k")
        for path, value, err in cases:
            self.assertCmdError(err, "PROTO.SETFIELD", "k", path, value)
        self.assertEqual(self.cmd("PROTO.GET", "k"), before)

    def test_not_a_scalar(self):
        self.assertCmdError("ERR field 'tags' is repeated: SETFIELD sets scalar fields only",
                            "PROTO.SETFIELD", "k", "tags", "x")
        self.assertCmdError("ERR field 'counters' is a map: SETFIELD sets scalar fields only",
                            "PROTO.SETFIELD", "k", "counters", "x")
        self.assertCmdError("ERR field 'address' is a message: SETFIELD sets scalar fields only",
                            "PROTO.SETFIELD", "k", "address", "x")
        self.assertCmdError("ERR no field 'nope' in message embertest.Person", "PROTO.SETFIELD", "k", "nope", "1")
        self.assertCmdError("ERR no such key", "PROTO.SETFIELD", "nokey", "name", "x")
        self.assertEqual(self.r.exists("nokey"), 0)
        self.assertCmdError(arity("proto.setfield"), "PROTO.SETFIELD", "k", "name")

    def test_keeps_the_expiry(self):
        self.r.expire("k", 100)
        self.cmd("PROTO.SETFIELD", "k", "age", "1")
        self.assertTrue(0 < self.r.ttl("k") <= 100)


class TestDelField(ProtoCase):

    def setUp(self):
        super().setUp()
        self.put("k", sample_person())

    def test_clear_fields(self):
        self.assertEqual(self.cmd("PROTO.DELFIELD", "k", "name"), 1)
        self.assertEqual(self.cmd("PROTO.DELFIELD", "k", "name"), 0)
        self.assertEqual(self.field("k", "name"), b"")
        self.assertEqual(self.cmd("PROTO.DELFIELD", "k", "address.city"), 1)
        self.assertEqual(self.field("k", "address.city"), b"")
        self.assertEqual(self.field("k", "address.zip"), 150)
        self.assertEqual(self.cmd("PROTO.DELFIELD", "k", "tags"), 1)
        self.assertEqual(self.field("k", "tags"), [])
        self.assertEqual(self.cmd("PROTO.DELFIELD", "k", "counters"), 1)
        self.assertEqual(self.cmd("PROTO.DELFIELD", "k", "email"), 1)
        self.assertIsNone(self.field("k", "email"))
        self.assertEqual(self.cmd("PROTO.DELFIELD", "k", "address"), 1)
        self.assertIsNone(self.field("k", "address"))
        p = self.stored("k")
        self.assertEqual((p.name, list(p.tags), dict(p.counters), p.HasField("address")), ("", [], {}, False))
        self.assertEqual(p.age, 30)

    def test_absent_paths_change_nothing(self):
        self.put("e", Person(name="x"))
        before = self.cmd("PROTO.GET", "e")
        self.assertEqual(self.cmd("PROTO.DELFIELD", "e", "address.geo.lat"), 0)
        self.assertEqual(self.cmd("PROTO.DELFIELD", "e", "nickname"), 0)
        self.assertEqual(self.cmd("PROTO.GET", "e"), before)
        self.assertEqual(self.cmd("PROTO.DELFIELD", "nokey", "name"), 0)
        self.assertEqual(self.r.exists("nokey"), 0)

    def test_required_field(self):
        self.put("o", Order(id=1, note="n"), ORDER)
        reply = self.cmd("PROTO.DELFIELD", "o", "id")
        self.assertIsInstance(reply, RespError)
        self.assertTrue(reply.message.startswith("ERR the message would miss required fields: id"), reply.message)
        self.assertEqual(self.field("o", "id"), 1)
        self.assertEqual(self.cmd("PROTO.DELFIELD", "o", "note"), 1)
        self.assertIsNone(self.field("o", "note"))

    def test_errors(self):
        self.assertCmdError("ERR no field 'nope' in message embertest.Person", "PROTO.DELFIELD", "k", "nope")
        self.assertCmdError(arity("proto.delfield"), "PROTO.DELFIELD", "k")


class TestShards(ProtoCase):
    shards = 4

    def test_every_shard_sees_the_registry(self):
        keys = keys_on_distinct_shards(4, "pk")
        self.assertEqual(len(keys), 4)
        for shard, key in keys.items():
            self.assertEqual(self.put(key, Person(name=key, age=shard)), "OK")
        for shard, key in keys.items():
            self.assertEqual(self.field(key, "name"), key.encode())
            self.assertEqual(self.field(key, "age"), shard)
            self.assertEqual(self.cmd("PROTO.SETFIELD", key, "address.city", "c%d" % shard), "OK")
        pipe = self.r.pipeline(transaction=False)
        for key in keys.values():
            pipe.execute_command("PROTO.GETFIELD", key, "address.city")
        self.assertEqual(pipe.execute(), [b"c%d" % s for s in keys])

    def test_register_while_shards_read(self):
        keys = list(keys_on_distinct_shards(4, "rk").values())
        for key in keys:
            self.put(key, Person(name="x"))
        readers = [self.s.client() for _ in range(3)]
        try:
            pipes = [r.pipeline(transaction=False) for r in readers]
            for i in range(20):
                f = descriptor_pb2.FileDescriptorProto(name="extra%d.proto" % i, package="extra%d" % i)
                f.message_type.add(name="M")
                for pipe in pipes:
                    for key in keys:
                        pipe.execute_command("PROTO.GETFIELD", key, "name")
                self.assertEqual(self.cmd("PROTO.REGISTER", "extra%d" % i, file_set(f)), "OK")
            for pipe in pipes:
                self.assertEqual(set(pipe.execute()), {b"x"})
            self.assertEqual(self.cmd("PROTO.DESCRIBE", "extra19"), [b"extra19.M"])
            self.assertEqual(self.cmd("PROTO.SET", keys[0], "extra7.M", b""), "OK")
        finally:
            for r in readers:
                r.close()


@unittest.skipUnless(is_ember(), "the proto module is ember's")
class TestRestart(unittest.TestCase):
    """Values and schemas survive a restart, from the AOF and from a
    snapshot."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ember-proto-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def start(self, *extra):
        return start_server(["--loadmodule", PROTO_SO, "--dir", self.dir] + list(extra))

    def fill(self, c):
        self.assertEqual(c.execute("PROTO.REGISTER", "shop", SCHEMA), "OK")
        extra = descriptor_pb2.FileDescriptorProto(name="later.proto", package="later")
        extra.message_type.add(name="Note").field.add(name="text", number=1, type=9, label=1)
        self.assertEqual(c.execute("PROTO.REGISTER", "later", file_set(extra)), "OK")
        self.assertEqual(c.execute("PROTO.SET", "p", PERSON, sample_person().SerializeToString()), "OK")
        self.assertEqual(c.execute("PROTO.SET", "o", ORDER, Order(id=9).SerializeToString(), "EX", "1000"), "OK")
        self.assertEqual(c.execute("PROTO.SET", "n", "later.Note", b"\x0a\x02hi"), "OK")
        self.assertEqual(c.execute("PROTO.SETFIELD", "p", "address.city", "Tromso"), "OK")
        self.assertEqual(c.execute("PROTO.DELFIELD", "p", "tags"), 1)

    def check(self, c):
        self.assertEqual(c.execute("PROTO.SCHEMAS"), [b"shop", b"later"])
        self.assertEqual([t.decode() for t in c.execute("PROTO.DESCRIBE", "shop")], ALL_TYPES)
        want = sample_person()
        want.address.city = "Tromso"
        del want.tags[:]
        self.assertEqual(Person.FromString(c.execute("PROTO.GET", "p")), want)
        self.assertEqual(c.execute("PROTO.GETFIELD", "p", "address.city"), b"Tromso")
        self.assertEqual(c.execute("PROTO.GETFIELD", "o", "id"), 9)
        self.assertEqual(c.execute("PROTO.TYPE", "n"), b"later.Note")
        self.assertEqual(c.execute("PROTO.GETFIELD", "n", "text"), b"hi")
        self.assertEqual(c.execute("TYPE", "p"), "protomsg")
        self.assertTrue(0 < c.execute("TTL", "o") <= 1000)
        # The restored registry still takes new values and schemas.
        self.assertEqual(c.execute("PROTO.SET", "q", "embertest.Address", b"\x0a\x01x"), "OK")
        self.assertEqual(c.execute("PROTO.REGISTER", "shop", SCHEMA), "OK")

    def test_snapshot(self):
        with self.start("--appendonly", "no") as s:
            with s.raw() as c:
                self.fill(c)
                self.assertEqual(c.execute("SAVE"), "OK")
        with self.start("--appendonly", "no") as s:
            with s.raw() as c:
                self.check(c)

    def test_aof(self):
        with self.start("--appendonly", "yes") as s:
            with s.raw() as c:
                self.fill(c)
        # The TTL PROTO.SET gave was logged as the time it came to: a replay
        # a second later does not start it again.
        time.sleep(1.1)
        with self.start("--appendonly", "yes") as s:
            with s.raw() as c:
                self.check(c)
                self.assertLessEqual(c.execute("TTL", "o"), 999)

    def test_aof_after_rewrite(self):
        with self.start("--appendonly", "yes") as s:
            with s.raw() as c:
                self.fill(c)
                self.assertIsInstance(c.execute("BGREWRITEAOF"), str)

                def rewritten():
                    info = c.execute("INFO", "persistence")
                    info = info.decode() if isinstance(info, bytes) else info
                    return "aof_rewrite_in_progress:0" in info and "aof_rewrite_scheduled:0" in info
                wait_until(rewritten, "the AOF rewrite to finish")
                self.assertEqual(c.execute("PROTO.SETFIELD", "p", "age", "31"), "OK")
        with self.start("--appendonly", "yes") as s:
            with s.raw() as c:
                self.assertEqual(c.execute("PROTO.GETFIELD", "p", "age"), 31)
                c.execute("PROTO.SETFIELD", "p", "age", "30")
                self.check(c)


if __name__ == "__main__":
    if not os.path.exists(DESC_PATH):
        sys.exit("the test schema %s is not built (cmake --build ... --target proto_test_schema)" % DESC_PATH)
    main()
