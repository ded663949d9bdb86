// The unit-test binary: every libcore/*/*_test.cpp linked with doctest's main.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
