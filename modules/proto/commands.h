// The PROTO.* commands.
#pragma once

#include "ember_module.h"

namespace protomod {

// Registers every command (in ember_module_init); EMBER_ERR if one fails.
int RegisterCommands(EmberModule* m);

}  // namespace protomod
