// The Catch2 v2 runner for ember's unit tests (kept in its own translation
// unit so editing a test file does not recompile Catch's main).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
