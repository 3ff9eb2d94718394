// placeholder
namespace coord::test_support {}
