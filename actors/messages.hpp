#pragma once
// Every message the actors exchange, by feature: each feature's atoms and types live in its
// own messages.hpp (CAF 0.17 atoms are at most 10 characters and collide by text with CAF's
// own, so every atom starts with "cd_"). Include the feature header you need; this one is for
// the places that see them all (app/, the inspector).

#include "actors/broker/messages.hpp"
#include "actors/cache/messages.hpp"
#include "actors/companion/messages.hpp"
#include "actors/console/messages.hpp"
#include "actors/console/summary.hpp"
#include "actors/errors.hpp"
#include "actors/gateway/messages.hpp"
#include "actors/http/messages.hpp"
#include "actors/liveness/messages.hpp"
#include "actors/session/messages.hpp"
#include "actors/settings/messages.hpp"
#include "actors/shards/messages.hpp"
#include "actors/voice/messages.hpp"
