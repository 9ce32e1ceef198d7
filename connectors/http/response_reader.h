#pragma once

// Reads one HTTP/1.x answer as its bytes arrive, in any pieces: the status
// line, the headers, and a body framed by Content-Length, by chunks, or by
// the connection's end. A vendor's bytes are untrusted: the header section
// and the body are bounded, and anything that does not frame one answer
// unambiguously fails it rather than being guessed at.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace loyalty::connectors {

class HttpResponseReader {
 public:
  enum class State { kReading, kComplete, kFailed };

  // `max_body_bytes` bounds the body; `head_request` answers carry none.
  explicit HttpResponseReader(size_t max_body_bytes, bool head_request = false);

  // Takes the next bytes off the connection.
  State Feed(absl::string_view bytes);
  // The peer closed the connection: completes a body read to the end of the
  // connection, fails anything else unfinished.
  State Close();

  State state() const { return state_; }
  // True once any byte of the answer arrived.
  bool started() const { return started_; }
  int status() const { return status_; }
  std::string& body() { return body_; }
  // The connection can carry another request: the answer was framed by its
  // length or chunks, nothing followed it, and neither side asked to close.
  bool reusable() const;
  // Why the answer failed; empty otherwise.
  const std::string& error() const { return error_; }
  // The body went past `max_body_bytes`.
  bool too_large() const { return too_large_; }

  static constexpr size_t kMaxHeaderBytes = 64 * 1024;
  static constexpr size_t kMaxChunkLineBytes = 1024;

 private:
  enum class Part {
    kStatusLine,
    kHeaders,
    kBody,
    kChunkSize,
    kChunkData,
    kChunkEnd,
    kTrailers,
    kToClose,
    kDone
  };

  bool IsLinePart() const;
  bool NextLine();
  void Complete();
  // Each moves the reading on, or fails the answer.
  void StatusLine(absl::string_view line);
  void Header(absl::string_view line);
  void HeadersEnded();
  void ChunkSize(absl::string_view line);
  void TakeBody(size_t bytes);
  State Fail(std::string why);
  void FailTooLarge();

  size_t max_body_bytes_;
  bool head_request_;
  State state_ = State::kReading;
  Part part_ = Part::kStatusLine;
  bool started_ = false;
  // Bytes not yet consumed, with `offset_` of them already read.
  std::string buffer_;
  size_t offset_ = 0;
  size_t header_bytes_ = 0;

  int status_ = 0;
  bool http10_ = false;
  bool close_asked_ = false;
  bool keep_alive_asked_ = false;
  bool chunked_ = false;
  bool other_coding_ = false;
  bool has_length_ = false;
  uint64_t length_ = 0;
  uint64_t left_ = 0;  // of the body or of the current chunk
  bool trailing_bytes_ = false;

  std::string body_;
  std::string error_;
  bool too_large_ = false;
};

}  // namespace loyalty::connectors
