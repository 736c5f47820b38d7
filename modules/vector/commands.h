// The vector commands: VADD VADD_BATCH VSIM VREM VGET VCARD VDIM VINFO.
#pragma once

#include "ember_module.h"

namespace vset {

// Registers every command (in ember_module_init); EMBER_ERR if one fails.
int RegisterCommands(EmberModule* m);

}  // namespace vset
