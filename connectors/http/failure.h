#pragma once

// Shared translation of transport errors and unreadable answers into
// connector failures, so every connector treats them alike.

#include <string_view>

#include "connectors/core/outcome.h"
#include "connectors/http/http_client.h"

namespace loyalty::connectors {

// A transport error: retryable; possibly applied if the request left.
Failed FailureFromHttpError(std::string_view vendor, const HttpError& error);

// An HTTP status the vendor's document does not describe (5xx, 404, ...).
// A 5xx may come after the vendor acted, so it is "maybe applied".
Failed FailureFromStatus(std::string_view vendor, int status);

// A body that is not the JSON the document promises.
Failed FailureFromUnreadable(std::string_view vendor, std::string_view what);

}  // namespace loyalty::connectors
