#include "connectors/sailplay/api_client.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "connectors/http/failure.h"
#include "connectors/sailplay/settings.h"
#include "connectors/sailplay/wire.h"

namespace loyalty::connectors::sailplay {
namespace {

// Read where a request is built; Login and Send refuse the program first
// when its settings did not parse.
const SailPlaySettings& Settings(const CallContext& context) {
  static const SailPlaySettings kNone;
  const auto* settings = context.program->TypedSettings<SailPlaySettings>();
  return settings ? *settings : kNone;
}

const std::string& Department(const CallContext& context) {
  return Settings(context).store_department_id;
}

// The document's methods that only read: safe for the HTTP client to repeat.
bool ReadsOnly(const std::string& path) {
  return path == "/api/v2/users/info/" || path == "/api/v2/marketing-actions/calc/" ||
         path == "/api/v2/purchases/get/";
}

std::vector<std::string> Secrets(const CallContext& context, const std::string& token) {
  return {token, Settings(context).store_department_key, Settings(context).pin_code};
}

}  // namespace

void ApiClient::Login(const CallContext& context, std::function<void(Outcome<std::string>)> done) {
  if (context.program->TypedSettings<SailPlaySettings>() == nullptr) {
    done(SettingsRefused(*context.program));
    return;
  }
  HttpRequest request;
  request.method = "GET";
  request.url =
      absl::StrCat(context.program->base_url, "/api/v2/login/?",
                   QueryString({{"store_department_id", Department(context)},
                                {"store_department_key", Settings(context).store_department_key},
                                {"pin_code", Settings(context).pin_code}}));
  request.deadline = context.deadline;
  request.cancelled = context.cancelled;
  request.on_callers_thread = context.on_callers_thread;
  request.secrets = Secrets(context, "");
  request.safe_to_repeat = true;  // a login changes nothing the broker counts on
  const int64_t program_id = context.program->id;
  http_.Send(std::move(request), [this, program_id, done = std::move(done)](HttpResult result) {
    if (auto* error = std::get_if<HttpError>(&result)) {
      Failed failed = FailureFromHttpError(kVendorName, *error);
      failed.maybe_applied = false;  // logging in changes nothing at the vendor
      done(failed);
      return;
    }
    const auto& response = std::get<HttpResponse>(result);
    Outcome<std::string> token = ParseLogin(response.status, response.body);
    if (token.approved()) tokens_.Put(program_id, token.value());
    done(std::move(token));
  });
}

void ApiClient::Get(const CallContext& context, std::string path, QueryParams params, bool with_pin,
                    std::function<void(Outcome<HttpResponse>)> done) {
  Send(context, std::move(path), std::move(params), with_pin, /*relogged=*/false, std::move(done));
}

void ApiClient::Send(const CallContext& context, std::string path, QueryParams params,
                     bool with_pin, bool relogged,
                     std::function<void(Outcome<HttpResponse>)> done) {
  if (context.program->TypedSettings<SailPlaySettings>() == nullptr) {
    done(SettingsRefused(*context.program));
    return;
  }
  const std::string token = tokens_.Get(context.program->id);
  if (token.empty()) {
    Login(context, [this, context, path = std::move(path), params = std::move(params), with_pin,
                    done = std::move(done)](Outcome<std::string> login) mutable {
      if (!login.approved()) {
        done(login.Forward<HttpResponse>());
        return;
      }
      Send(context, std::move(path), std::move(params), with_pin, /*relogged=*/true,
           std::move(done));
    });
    return;
  }
  QueryParams full = {{"token", token}, {"store_department_id", Department(context)}};
  if (with_pin) full.emplace_back("pin_code", Settings(context).pin_code);
  full.insert(full.end(), params.begin(), params.end());
  HttpRequest request;
  request.method = "GET";
  request.url = absl::StrCat(context.program->base_url, path, "?", QueryString(full));
  request.deadline = context.deadline;
  request.cancelled = context.cancelled;
  request.on_callers_thread = context.on_callers_thread;
  request.secrets = Secrets(context, token);
  request.safe_to_repeat = ReadsOnly(path);
  http_.Send(std::move(request),
             [this, context, path = std::move(path), params = std::move(params), with_pin, relogged,
              token, done = std::move(done)](HttpResult result) mutable {
               if (auto* error = std::get_if<HttpError>(&result)) {
                 done(FailureFromHttpError(kVendorName, *error));
                 return;
               }
               HttpResponse response = std::move(std::get<HttpResponse>(result));
               // A refusal that echoes the session token must not carry it on.
               response.body = MaskSecrets(std::move(response.body), {token});
               if (!relogged && IsTokenRefusal(response.body)) {
                 tokens_.Drop(context.program->id, token);
                 Send(context, std::move(path), std::move(params), with_pin, /*relogged=*/true,
                      std::move(done));
                 return;
               }
               done(std::move(response));
             });
}

}  // namespace loyalty::connectors::sailplay
