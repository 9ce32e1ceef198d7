#include "connectors/http/response_reader.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "connectors/http/http_token.h"

namespace loyalty::connectors {

namespace {

// A comma-separated header value holds `token`, in any case.
bool ListHolds(absl::string_view value, absl::string_view token) {
  for (absl::string_view item : absl::StrSplit(value, ',')) {
    if (absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(item), token)) return true;
  }
  return false;
}

}  // namespace

HttpResponseReader::HttpResponseReader(size_t max_body_bytes, bool head_request)
    : max_body_bytes_(max_body_bytes), head_request_(head_request) {}

bool HttpResponseReader::reusable() const {
  return state_ == State::kComplete && !close_asked_ && !trailing_bytes_ &&
         (!http10_ || keep_alive_asked_);
}

HttpResponseReader::State HttpResponseReader::Fail(std::string why) {
  state_ = State::kFailed;
  error_ = std::move(why);
  buffer_.clear();
  offset_ = 0;
  return state_;
}

void HttpResponseReader::FailTooLarge() {
  too_large_ = true;
  Fail(absl::StrCat("answer longer than ", max_body_bytes_, " bytes, not read"));
}

HttpResponseReader::State HttpResponseReader::Feed(absl::string_view bytes) {
  if (state_ != State::kReading) {
    if (!bytes.empty()) trailing_bytes_ = true;
    return state_;
  }
  if (bytes.empty()) return state_;
  started_ = true;
  buffer_.append(bytes.data(), bytes.size());
  while (state_ == State::kReading) {
    if (IsLinePart()) {
      if (!NextLine()) break;  // not yet whole
      continue;
    }
    if (offset_ == buffer_.size()) break;
    if (part_ == Part::kToClose) {
      TakeBody(buffer_.size() - offset_);
      continue;
    }
    // A body of known length, or one chunk's data.
    const size_t take = static_cast<size_t>(
        std::min<uint64_t>(left_, static_cast<uint64_t>(buffer_.size() - offset_)));
    TakeBody(take);
    left_ -= take;
    if (state_ == State::kReading && left_ == 0) {
      if (part_ == Part::kBody) {
        Complete();
      } else {
        part_ = Part::kChunkEnd;
      }
    }
  }
  if (state_ == State::kComplete && offset_ < buffer_.size()) trailing_bytes_ = true;
  if (offset_ == buffer_.size()) {
    buffer_.clear();
    offset_ = 0;
  } else if (offset_ > 4096) {
    buffer_.erase(0, offset_);
    offset_ = 0;
  }
  return state_;
}

bool HttpResponseReader::IsLinePart() const {
  return part_ == Part::kStatusLine || part_ == Part::kHeaders || part_ == Part::kChunkSize ||
         part_ == Part::kChunkEnd || part_ == Part::kTrailers;
}

void HttpResponseReader::Complete() {
  part_ = Part::kDone;
  state_ = State::kComplete;
}

// Reads the next line if it is whole; false if it is not yet.
bool HttpResponseReader::NextLine() {
  // The header section is bounded as a whole; a chunk-size line by itself.
  const bool header_line =
      part_ == Part::kStatusLine || part_ == Part::kHeaders || part_ == Part::kTrailers;
  const size_t end = buffer_.find('\n', offset_);
  const size_t length = (end == std::string::npos ? buffer_.size() : end + 1) - offset_;
  if (header_line ? header_bytes_ + length > kMaxHeaderBytes : length > kMaxChunkLineBytes) {
    Fail(header_line ? absl::StrCat("answer's header longer than ", kMaxHeaderBytes, " bytes")
                     : "a chunk size line of the answer is too long");
    return true;
  }
  if (end == std::string::npos) return false;
  if (header_line) header_bytes_ += length;
  absl::string_view line(buffer_.data() + offset_, end - offset_);
  offset_ = end + 1;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  switch (part_) {
    case Part::kStatusLine:
      StatusLine(line);
      break;
    case Part::kHeaders:
      if (line.empty()) {
        HeadersEnded();
      } else {
        Header(line);
      }
      break;
    case Part::kChunkSize:
      ChunkSize(line);
      break;
    case Part::kChunkEnd:
      if (line.empty()) {
        part_ = Part::kChunkSize;
      } else {
        Fail("a chunk of the answer did not end where its size said");
      }
      break;
    case Part::kTrailers:
      if (line.empty()) Complete();
      break;
    default:
      break;
  }
  return true;
}

void HttpResponseReader::StatusLine(absl::string_view line) {
  // HTTP/1.x SSS[ reason]
  int status = 0;
  if (line.size() < 12 || !absl::StartsWith(line, "HTTP/1.") || line[8] != ' ' ||
      (line.size() > 12 && line[12] != ' ') || !absl::SimpleAtoi(line.substr(9, 3), &status) ||
      !absl::ascii_isdigit(static_cast<unsigned char>(line[9])) || status < 100 || status > 599) {
    Fail("not an HTTP/1 status line");
    return;
  }
  status_ = status;
  http10_ = line[7] == '0';
  part_ = Part::kHeaders;
}

void HttpResponseReader::Header(absl::string_view line) {
  const size_t colon = line.find(':');
  if (colon == absl::string_view::npos || colon == 0) {
    Fail("a header line of the answer has no name");
    return;
  }
  const absl::string_view name = line.substr(0, colon);
  for (char c : name) {
    if (!IsHttpTokenChar(c)) {
      Fail("a header name of the answer is malformed");
      return;
    }
  }
  const absl::string_view value = absl::StripAsciiWhitespace(line.substr(colon + 1));
  if (absl::EqualsIgnoreCase(name, "Content-Length")) {
    uint64_t length = 0;
    if (value.empty() || value.size() > 18 || !absl::SimpleAtoi(value, &length) ||
        !absl::ascii_isdigit(static_cast<unsigned char>(value[0]))) {
      Fail("the answer's Content-Length is not a number");
      return;
    }
    if (has_length_ && length != length_) {
      Fail("the answer has two different Content-Length headers");
      return;
    }
    has_length_ = true;
    length_ = length;
  } else if (absl::EqualsIgnoreCase(name, "Transfer-Encoding")) {
    // Only a final "chunked" frames the body; any other coding runs to the
    // connection's end (RFC 9112, 6.3).
    const size_t last_comma = value.rfind(',');
    const absl::string_view last = absl::StripAsciiWhitespace(
        last_comma == absl::string_view::npos ? value : value.substr(last_comma + 1));
    if (absl::EqualsIgnoreCase(last, "chunked")) {
      chunked_ = true;
    } else {
      other_coding_ = true;
    }
  } else if (absl::EqualsIgnoreCase(name, "Connection")) {
    if (ListHolds(value, "close")) close_asked_ = true;
    if (ListHolds(value, "keep-alive")) keep_alive_asked_ = true;
  }
}

void HttpResponseReader::HeadersEnded() {
  if (status_ < 200) {
    if (status_ == 101) {
      Fail("the answer switches protocols");
      return;
    }
    // An interim answer (100 Continue and the like): the real one follows.
    part_ = Part::kStatusLine;
    header_bytes_ = 0;
    has_length_ = chunked_ = other_coding_ = close_asked_ = keep_alive_asked_ = false;
    return;
  }
  if (head_request_ || status_ == 204 || status_ == 304) {
    Complete();
    return;
  }
  if (chunked_ || other_coding_) {
    // A length beside a transfer coding is ignored, and the connection not
    // trusted with another request (RFC 9112, 6.1).
    if (has_length_) close_asked_ = true;
    if (other_coding_) {
      close_asked_ = true;
      part_ = Part::kToClose;
    } else {
      part_ = Part::kChunkSize;
    }
    return;
  }
  if (has_length_) {
    if (length_ > max_body_bytes_) {
      FailTooLarge();
      return;
    }
    // What the length says, up to what an honest answer needs at once: a
    // declared length is not yet bytes.
    body_.reserve(static_cast<size_t>(std::min<uint64_t>(length_, 64 * 1024)));
    left_ = length_;
    if (left_ == 0) {
      Complete();
    } else {
      part_ = Part::kBody;
    }
    return;
  }
  close_asked_ = true;
  part_ = Part::kToClose;
}

void HttpResponseReader::ChunkSize(absl::string_view line) {
  const absl::string_view digits = absl::StripAsciiWhitespace(line.substr(0, line.find(';')));
  uint64_t size = 0;
  if (digits.empty() || digits.size() > 15) {
    Fail("a chunk size of the answer is malformed");
    return;
  }
  for (char c : digits) {
    const int digit = absl::ascii_isdigit(static_cast<unsigned char>(c)) ? c - '0'
                      : (c >= 'a' && c <= 'f')                           ? c - 'a' + 10
                      : (c >= 'A' && c <= 'F')                           ? c - 'A' + 10
                                                                         : -1;
    if (digit < 0) {
      Fail("a chunk size of the answer is malformed");
      return;
    }
    size = size * 16 + static_cast<uint64_t>(digit);
  }
  if (size == 0) {
    part_ = Part::kTrailers;
    return;
  }
  if (body_.size() + size > max_body_bytes_) {
    FailTooLarge();
    return;
  }
  left_ = size;
  part_ = Part::kChunkData;
}

void HttpResponseReader::TakeBody(size_t bytes) {
  if (body_.size() + bytes > max_body_bytes_) {
    FailTooLarge();
    return;
  }
  body_.append(buffer_, offset_, bytes);
  offset_ += bytes;
}

HttpResponseReader::State HttpResponseReader::Close() {
  if (state_ != State::kReading) return state_;
  if (part_ == Part::kToClose) {
    Complete();
    return state_;
  }
  return Fail(started_ ? "the connection closed before the whole answer"
                       : "the connection closed with no answer");
}

}  // namespace loyalty::connectors
