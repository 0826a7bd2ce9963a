#include "tests/support/source_client.h"

#include <cctype>
#include <cstdio>

#include "tests/support/server_process.h"

namespace sealdrop::testing {

std::string HttpReply::Header(const std::string& name) const {
  std::string lower_head;
  for (char c : head) lower_head.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  std::string key = "\r\n";
  for (char c : name) key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  key += ":";
  const auto at = lower_head.find(key);
  if (at == std::string::npos) return "";
  auto start = at + key.size();
  while (start < head.size() && head[start] == ' ') ++start;
  const auto end = head.find("\r\n", start);
  return head.substr(start, end - start);
}

HttpReply ParseHttpReply(const std::string& raw) {
  HttpReply r;
  const auto split = raw.find("\r\n\r\n");
  r.head = raw.substr(0, split == std::string::npos ? raw.size() : split);
  r.body = split == std::string::npos ? "" : raw.substr(split + 4);
  if (r.head.rfind("HTTP/1.", 0) == 0 && r.head.size() >= 12) {
    r.status = std::atoi(r.head.substr(9, 3).c_str());
  }
  return r;
}

MultipartBody BuildMultipart(const std::vector<FormPart>& parts, const std::string& boundary) {
  MultipartBody m;
  m.content_type = "multipart/form-data; boundary=" + boundary;
  for (const auto& p : parts) {
    m.body += "--" + boundary + "\r\n";
    m.body += "Content-Disposition: form-data; name=\"" + p.name + "\"";
    if (p.is_file) {
      m.body += "; filename=\"" + p.filename + "\"\r\nContent-Type: " + p.content_type;
    }
    m.body += "\r\n\r\n" + p.value + "\r\n";
  }
  m.body += "--" + boundary + "--\r\n";
  return m;
}

std::string UrlEncode(const std::string& value) {
  std::string out;
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string ElementText(const std::string& html, const std::string& id) {
  const auto at = html.find("id=\"" + id + "\"");
  if (at == std::string::npos) return "";
  const auto start = html.find('>', at);
  if (start == std::string::npos) return "";
  const auto end = html.find('<', start);
  return html.substr(start + 1, end - start - 1);
}

void SourceClient::Remember(const HttpReply& reply) {
  const std::string set = reply.Header("Set-Cookie");
  if (!set.empty()) {
    const std::string pair = set.substr(0, set.find(';'));
    const std::string name = pair.substr(0, pair.find('='));
    const std::string value = pair.substr(pair.find('=') + 1);
    if (value.empty()) {
      jar_.erase(name);
    } else {
      jar_[name] = value;
    }
  }
  const auto at = reply.body.find("name=\"csrf\" value=\"");
  if (at != std::string::npos) {
    const auto start = at + 19;
    csrf_ = reply.body.substr(start, reply.body.find('"', start) - start);
  }
}

std::string SourceClient::cookie() const {
  std::string out;
  for (const auto& [name, value] : jar_) {
    if (!out.empty()) out += "; ";
    out += name + "=" + value;
  }
  return out;
}

void SourceClient::set_cookie(const std::string& header) {
  jar_.clear();
  std::string rest = header;
  while (!rest.empty()) {
    const auto semi = rest.find(';');
    std::string pair = rest.substr(0, semi);
    rest = semi == std::string::npos ? "" : rest.substr(semi + 1);
    while (!pair.empty() && pair.front() == ' ') pair.erase(0, 1);
    const auto eq = pair.find('=');
    if (eq != std::string::npos && eq + 1 < pair.size()) jar_[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
}

HttpReply SourceClient::Get(const std::string& path) {
  const std::string cookie_ = cookie();
  std::string req = "GET " + path + " HTTP/1.1\r\nHost: x.onion\r\nConnection: close\r\n";
  if (!cookie_.empty()) req += "Cookie: " + cookie_ + "\r\n";
  HttpReply r = ParseHttpReply(HttpExchange(address_, prefix_ + req + "\r\n", 30000));
  Remember(r);
  return r;
}

HttpReply SourceClient::Post(const std::string& path, const std::string& content_type,
                             const std::string& body) {
  const std::string cookie_ = cookie();
  std::string req = "POST " + path + " HTTP/1.1\r\nHost: x.onion\r\nConnection: close\r\n";
  if (!cookie_.empty()) req += "Cookie: " + cookie_ + "\r\n";
  req += "Content-Type: " + content_type + "\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
  HttpReply r = ParseHttpReply(HttpExchange(address_, prefix_ + req, 60000));
  Remember(r);
  return r;
}

HttpReply SourceClient::PostMultipart(const std::string& path,
                                      const std::vector<FormPart>& parts) {
  const MultipartBody m = BuildMultipart(parts);
  return Post(path, m.content_type, m.body);
}

HttpReply SourceClient::PostForm(const std::string& path,
                                 const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string body;
  for (const auto& [k, v] : fields) {
    if (!body.empty()) body += "&";
    body += UrlEncode(k) + "=" + UrlEncode(v);
  }
  return Post(path, "application/x-www-form-urlencoded", body);
}

HttpReply SourceClient::Raw(const std::string& bytes, int timeout_ms) {
  return ParseHttpReply(HttpExchange(address_, bytes, timeout_ms));
}

}  // namespace sealdrop::testing
