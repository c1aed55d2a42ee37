#include "harness.h"
TSDL_TEST_MAIN
