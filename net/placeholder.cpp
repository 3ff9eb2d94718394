// net/ translation units are globbed; this keeps the library non-empty.
namespace coord::net {}
