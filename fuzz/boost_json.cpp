// Boost.JSON compiled into the fuzz build in its header-only form, so the parser every decoder
// starts with carries the same coverage and sanitizer instrumentation as proto/ itself.
#include <boost/json/src.hpp>
