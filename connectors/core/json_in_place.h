#pragma once

// Reading vendor JSON where simdjson put it, without building a tree: the
// same helpers as json_reader.h over simdjson's elements, with the same
// results and the same errors (a member's last duplicate wins, numbers are
// taken as nlohmann's tree would hold them). Building and freeing the
// nlohmann tree was most of what reading a vendor answer cost
// (bench/instructions.sh).

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "connectors/core/json_reader.h"

namespace loyalty::connectors::json_reader {

using Element = simdjson::dom::element;

enum class InPlace {
  kRead,        // `root` holds the document, valid until the next read on this thread
  kRefused,     // nested deeper than kMaxVendorJsonDepth: not to be read at all
  kOtherReader  // simdjson cannot read it (a byte order mark, a 65-bit integer, not
                // JSON): ParseVendorJson decides
};
// One parser per thread, shared with ParseVendorJson.
InPlace ReadInPlace(std::string_view body, Element* root);

Element Field(Element object, const char* name);
int64_t Units(Element object, const char* name, int scale);
int64_t OptionalUnits(Element object, const char* name, int scale);
std::string Text(Element value);
std::string OptionalText(Element object, const char* name);

// As their namesakes over nlohmann's tree (json_reader.h), so a reader can
// be written once for both kinds of document.
bool IsObject(Element value);
bool IsTrue(Element value);
std::optional<Element> ObjectMember(Element object, const char* name);

}  // namespace loyalty::connectors::json_reader
