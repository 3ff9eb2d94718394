#define BOOST_TEST_MODULE e2e_tests
#include <boost/test/unit_test.hpp>
