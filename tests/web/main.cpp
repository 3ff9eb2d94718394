#define BOOST_TEST_MODULE web_tests
#include <boost/test/unit_test.hpp>
