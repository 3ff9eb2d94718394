namespace coord::store {}
