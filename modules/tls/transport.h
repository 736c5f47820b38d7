// The "tls" transport: the callbacks ember calls instead of read() and
// write() for connections on tls-port. Each runs on the shard thread that
// owns the connection; the handshake advances inside read and write, so it
// never blocks a shard (it answers EMBER_IO_WANT_READ / WANT_WRITE).
#pragma once

#include "ember_module.h"

namespace tls {

class CurrentContext;
class HandshakeReaper;

// The transport's definition; contexts and reaper outlive every connection.
EmberTransportDef MakeTransport(CurrentContext* contexts, HandshakeReaper* reaper);

}  // namespace tls
