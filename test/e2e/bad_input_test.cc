#include "test/e2e/test_bundle.h"
