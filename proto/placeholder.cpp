// placeholder until the first codec lands
namespace coord::proto {}
