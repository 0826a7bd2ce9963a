// A small client for the source interface, for integration tests: raw HTTP/1.1 over a fresh
// connection per request (tests/support/server_process.h), a session cookie, the CSRF token
// scraped from a form, and multipart bodies built by hand so that tests control every byte.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace sealdrop::testing {

struct HttpReply {
  int status = 0;
  std::string head;  // status line and headers
  std::string body;
  std::string Header(const std::string& name) const;  // first value, "" when absent
};

HttpReply ParseHttpReply(const std::string& raw);

struct FormPart {
  FormPart(std::string n, std::string v) : name(std::move(n)), value(std::move(v)) {}
  FormPart(std::string n, std::string v, bool file, std::string fname,
           std::string type = "application/octet-stream")
      : name(std::move(n)), value(std::move(v)), is_file(file), filename(std::move(fname)),
        content_type(std::move(type)) {}
  std::string name;
  std::string value;  // field value or file content
  bool is_file = false;
  std::string filename;  // for files
  std::string content_type = "application/octet-stream";
};

// "multipart/form-data; boundary=..." and its body.
struct MultipartBody {
  std::string content_type;
  std::string body;
};
MultipartBody BuildMultipart(const std::vector<FormPart>& parts,
                             const std::string& boundary = "----sealdropTestBoundary7MA4YWxk");

class SourceClient {
 public:
  explicit SourceClient(std::string address) : address_(std::move(address)) {}

  // GET `path` (with the session cookie); remembers a new cookie and the page's CSRF token.
  HttpReply Get(const std::string& path);
  // POST a body with the session cookie.
  HttpReply Post(const std::string& path, const std::string& content_type,
                 const std::string& body);
  HttpReply PostMultipart(const std::string& path, const std::vector<FormPart>& parts);
  HttpReply PostForm(const std::string& path,
                     const std::vector<std::pair<std::string, std::string>>& fields);
  // Sends raw bytes as they are (no cookie added).
  HttpReply Raw(const std::string& bytes, int timeout_ms = 10000);

  // Bytes sent before every request (e.g. Tor's PROXY header).
  void set_prefix(std::string p) { prefix_ = std::move(p); }
  // Every cookie the server set, as a Cookie header value ("a=1; b=2"), and its replacement.
  std::string cookie() const;
  void set_cookie(const std::string& header);
  const std::string& csrf() const { return csrf_; }
  const std::string& address() const { return address_; }

 private:
  void Remember(const HttpReply& reply);
  std::string address_;
  std::string prefix_;
  std::map<std::string, std::string> jar_;  // sd_session, sd_form
  std::string csrf_;
};

// application/x-www-form-urlencoded encoding of one value.
std::string UrlEncode(const std::string& value);
// The text inside the element with id="ID" (first text up to '<'), HTML entities left as they are.
std::string ElementText(const std::string& html, const std::string& id);

}  // namespace sealdrop::testing
