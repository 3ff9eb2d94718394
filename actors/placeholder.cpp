namespace coord::actors {}
