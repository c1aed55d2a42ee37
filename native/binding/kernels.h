#pragma once
#include <napi.h>

#include "../core/backend.h"

namespace tsdl::binding {
// A JS object implementing runtime/backend/backend.ts's Backend for `backend`.
Napi::Object makeBackendObject(Napi::Env env, Backend* backend);
}  // namespace tsdl::binding
