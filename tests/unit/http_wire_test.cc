// The broker's own HTTP/1.1 framing: URLs taken apart, requests written as
// libcurl wrote them, and answers read in any pieces, hostile ones refused.

#include <gtest/gtest.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "connectors/http/http_url.h"
#include "connectors/http/request_writer.h"
#include "connectors/http/response_reader.h"
#include "connectors/http/socket_http_client.h"

namespace loyalty::connectors {
namespace {

using State = HttpResponseReader::State;

TEST(HttpUrl, TakesApartAddressPortAndTarget) {
  auto url = ParseHttpUrl("http://127.0.0.1:8090/calculatediscount?x=1&y=%7B");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 8090);
  EXPECT_EQ(url->host_header, "127.0.0.1:8090");
  EXPECT_EQ(url->target, "/calculatediscount?x=1&y=%7B");
  EXPECT_EQ(url->origin, "127.0.0.1:8090");

  url = ParseHttpUrl("HTTP://[::1]/");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 80);
  EXPECT_EQ(url->host_header, "[::1]");
  EXPECT_EQ(url->origin, "[::1]:80");

  url = ParseHttpUrl("http://localhost:9?q");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(url->target, "/?q");
  EXPECT_EQ(ParseHttpUrl("http://localhost")->target, "/");
}

TEST(HttpUrl, RefusesWhatItDoesNotSendItself) {
  for (const char* url :
       {"https://127.0.0.1/", "ftp://h/", "http://", "http://:80/", "http://user:pw@host/",
        "http://h:0/", "http://h:65536/", "http://h:8x/", "http://h/a b", "http://h/#frag",
        "http://[::1/", "http://[::1]x/", "http://h/\r\nX: y"}) {
    EXPECT_FALSE(ParseHttpUrl(url).has_value()) << url;
  }
}

TEST(SocketHttpClient, TakesPlainHttpToAnAddressOnly) {
  EXPECT_TRUE(SocketHttpClient::Takes("http://127.0.0.1:8090/calculatediscount"));
  EXPECT_TRUE(SocketHttpClient::Takes("http://localhost:8090/"));
  EXPECT_TRUE(SocketHttpClient::Takes("http://[::1]:81/x?y"));
  // A name to resolve, TLS, or a URL it would not send: libcurl's.
  EXPECT_FALSE(SocketHttpClient::Takes("http://vendor.example/api"));
  EXPECT_FALSE(SocketHttpClient::Takes("https://127.0.0.1/"));
  EXPECT_FALSE(SocketHttpClient::Takes("http://127.0.0.1/a b"));
  EXPECT_FALSE(SocketHttpClient::Takes("http://127.0.0.1.5/"));
}

TEST(RequestWriter, WritesWhatLibcurlWroteForThatRequest) {
  HttpRequest request;
  request.method = "POST";
  request.headers = {{"Content-Type", "application/json"}, {"apikey", "k"}};
  request.body = R"({"a":1})";
  auto wire = WriteRequest(request, *ParseHttpUrl("http://127.0.0.1:81/x?y=1"));
  ASSERT_TRUE(wire.ok()) << wire.status();
  EXPECT_EQ(*wire,
            "POST /x?y=1 HTTP/1.1\r\nHost: 127.0.0.1:81\r\nAccept: */*\r\n"
            "Content-Type: application/json\r\napikey: k\r\nContent-Length: 7\r\n\r\n{\"a\":1}");

  request = HttpRequest{};
  request.method = "GET";
  wire = WriteRequest(request, *ParseHttpUrl("http://127.0.0.1/"));
  ASSERT_TRUE(wire.ok());
  EXPECT_EQ(*wire, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n");

  // A POST of nothing still says so; a form type unless the caller set one.
  request.method = "POST";
  wire = WriteRequest(request, *ParseHttpUrl("http://127.0.0.1/"));
  ASSERT_TRUE(wire.ok());
  EXPECT_NE(wire->find("Content-Type: application/x-www-form-urlencoded\r\n"), std::string::npos);
  EXPECT_NE(wire->find("Content-Length: 0\r\n\r\n"), std::string::npos);
}

TEST(RequestWriter, RefusesHeadersThatWouldBreakTheRequest) {
  const HttpUrl url = *ParseHttpUrl("http://127.0.0.1/");
  for (const auto& header :
       std::vector<std::pair<std::string, std::string>>{{"apikey", "k\r\nX-Injected: 1"},
                                                        {"apikey", std::string("k\0", 2)},
                                                        {"bad name", "v"},
                                                        {"", "v"},
                                                        {"Content-Length", "5"},
                                                        {"transfer-encoding", "chunked"},
                                                        {"Host", "elsewhere"}}) {
    HttpRequest request;
    request.headers = {header};
    EXPECT_FALSE(WriteRequest(request, url).ok()) << header.first;
  }
  HttpRequest request;
  request.method = "GET /x";
  EXPECT_FALSE(WriteRequest(request, url).ok());
}

// Feeds `bytes` in pieces of `piece` bytes; the reader's state after all.
State FeedInPieces(HttpResponseReader& reader, const std::string& bytes, size_t piece) {
  State state = State::kReading;
  for (size_t at = 0; at < bytes.size(); at += piece) {
    state = reader.Feed(absl::string_view(bytes).substr(at, piece));
  }
  return state;
}

TEST(HttpResponseReader, ReadsLengthFramedAnswersInAnyPieces) {
  const std::string answer =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
      "11\r\n\r\n{\"ok\":true}";
  for (size_t piece = 1; piece <= answer.size(); ++piece) {
    HttpResponseReader reader(1 << 20);
    ASSERT_EQ(FeedInPieces(reader, answer, piece), State::kComplete) << piece;
    EXPECT_EQ(reader.status(), 200);
    EXPECT_EQ(reader.body(), "{\"ok\":true}");
    EXPECT_TRUE(reader.reusable());
  }
}

TEST(HttpResponseReader, ReadsChunkedAnswersWithExtensionsAndTrailers) {
  const std::string answer =
      "HTTP/1.1 422 Unprocessable Entity\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4;ext=1\r\n{\"a\"\r\nB\r\n:\"b\",\"c\":1}\r\n0\r\nX-Trailer: t\r\n\r\n";
  for (size_t piece = 1; piece <= answer.size(); ++piece) {
    HttpResponseReader reader(1 << 20);
    ASSERT_EQ(FeedInPieces(reader, answer, piece), State::kComplete) << piece;
    EXPECT_EQ(reader.status(), 422);
    EXPECT_EQ(reader.body(), "{\"a\":\"b\",\"c\":1}");
    EXPECT_TRUE(reader.reusable());
  }
}

TEST(HttpResponseReader, AnAnswerWithoutLengthRunsToTheConnectionsEnd) {
  HttpResponseReader reader(1 << 20);
  EXPECT_EQ(reader.Feed("HTTP/1.0 200 OK\nContent-Type: text/plain\n\nsome"), State::kReading);
  EXPECT_EQ(reader.Feed(" text"), State::kReading);
  EXPECT_EQ(reader.Close(), State::kComplete);
  EXPECT_EQ(reader.body(), "some text");
  EXPECT_FALSE(reader.reusable());
}

TEST(HttpResponseReader, SkipsInterimAnswersAndKnowsBodilessOnes) {
  HttpResponseReader reader(1 << 20);
  EXPECT_EQ(reader.Feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"),
            State::kComplete);
  EXPECT_EQ(reader.status(), 204);
  EXPECT_TRUE(reader.body().empty());

  HttpResponseReader head(1 << 20, /*head_request=*/true);
  EXPECT_EQ(head.Feed("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n"), State::kComplete);
}

TEST(HttpResponseReader, ConnectionIsKeptOnlyWhenBothSidesMayKeepIt) {
  HttpResponseReader closing(1 << 20);
  closing.Feed("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(closing.state(), State::kComplete);
  EXPECT_FALSE(closing.reusable());

  HttpResponseReader old(1 << 20);
  old.Feed("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n");
  EXPECT_FALSE(old.reusable());
  HttpResponseReader old_kept(1 << 20);
  old_kept.Feed("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(old_kept.reusable());

  // Bytes after the answer: nobody asked for them, the connection is not trusted.
  HttpResponseReader extra(1 << 20);
  extra.Feed("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\n");
  EXPECT_EQ(extra.state(), State::kComplete);
  EXPECT_EQ(extra.body(), "x");
  EXPECT_FALSE(extra.reusable());

  // A length beside chunks: the chunks frame it, the connection is closed after.
  HttpResponseReader both(1 << 20);
  both.Feed(
      "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
      "1\r\nx\r\n0\r\n\r\n");
  EXPECT_EQ(both.state(), State::kComplete);
  EXPECT_EQ(both.body(), "x");
  EXPECT_FALSE(both.reusable());
}

TEST(HttpResponseReader, LongAnswersFailWithoutBeingRead) {
  HttpResponseReader declared(10);
  EXPECT_EQ(declared.Feed("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n"), State::kFailed);
  EXPECT_TRUE(declared.too_large());
  EXPECT_EQ(declared.error(), "answer longer than 10 bytes, not read");

  HttpResponseReader chunked(10);
  EXPECT_EQ(chunked.Feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n"),
            State::kReading);
  EXPECT_EQ(chunked.Feed("8\r\n"), State::kFailed);
  EXPECT_TRUE(chunked.too_large());

  HttpResponseReader unframed(10);
  unframed.Feed("HTTP/1.1 200 OK\r\n\r\n12345");
  EXPECT_EQ(unframed.Feed("678901"), State::kFailed);
  EXPECT_TRUE(unframed.too_large());

  HttpResponseReader header(1 << 20);
  const std::string long_header =
      absl::StrCat("HTTP/1.1 200 OK\r\nX: ", std::string(HttpResponseReader::kMaxHeaderBytes, 'a'));
  EXPECT_EQ(FeedInPieces(header, long_header, 1000), State::kFailed);
  EXPECT_FALSE(header.too_large());
}

TEST(HttpResponseReader, RefusesAnswersThatDoNotFrameOneAnswer) {
  for (const char* answer : {
           "HTTP/2 200 OK\r\n\r\n",
           "ICY 200 OK\r\n\r\n",
           "HTTP/1.1 20 OK\r\n\r\n",
           "HTTP/1.1 2000 OK\r\n\r\n",
           "HTTP/1.1 +20 OK\r\n\r\n",
           "HTTP/1.1 099 Low\r\n\r\n",
           "HTTP/1.1 101 Switching Protocols\r\n\r\n",
           "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
           "HTTP/1.1 200 OK\r\n folded: header\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n",
       }) {
    HttpResponseReader reader(1 << 20);
    reader.Feed(answer);
    reader.Close();
    EXPECT_EQ(reader.state(), State::kFailed) << answer;
    EXPECT_FALSE(reader.error().empty()) << answer;
  }
}

TEST(HttpResponseReader, ClosedBeforeTheWholeAnswerFails) {
  HttpResponseReader nothing(1 << 20);
  EXPECT_EQ(nothing.Close(), State::kFailed);
  EXPECT_FALSE(nothing.started());

  HttpResponseReader partial(1 << 20);
  partial.Feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345");
  EXPECT_EQ(partial.Close(), State::kFailed);
  EXPECT_TRUE(partial.started());
  EXPECT_EQ(partial.error(), "the connection closed before the whole answer");
}

}  // namespace
}  // namespace loyalty::connectors
