#define BOOST_TEST_MODULE proto_tests
#include <boost/test/unit_test.hpp>
