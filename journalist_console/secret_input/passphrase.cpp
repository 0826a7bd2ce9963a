#include "journalist_console/secret_input/passphrase.h"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>

#include "common/io.h"

namespace sealdrop::console {
namespace {

constexpr std::size_t kMaxPassphraseBytes = 1024;

Result<SecretBuffer> FromFile(const std::string& path) {
  auto source = FileSource::Open(path);
  if (!source) return MakeError(ErrorCode::kIo, "cannot read passphrase file " + path);
  SecretBuffer buf(kMaxPassphraseBytes + 1);
  auto n = ReadFull(*source, buf.span());
  if (!n) return n.error();
  std::size_t len = 0;
  while (len < *n && buf.data()[len] != '\n') ++len;
  if (len > kMaxPassphraseBytes) {
    return MakeError(ErrorCode::kInvalidArgument, "passphrase file's first line is too long");
  }
  if (len > 0 && buf.data()[len - 1] == '\r') --len;
  return SecretBuffer::CopyOf(std::span<const std::uint8_t>(buf.data(), len));
}

Result<SecretBuffer> FromTerminal(const std::string& prompt) {
  const int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "no terminal to ask for a passphrase: use --passphrase-file FILE");
  }
  const std::string text = prompt + ": ";
  (void)!::write(fd, text.data(), text.size());
  termios old {};
  const bool have_termios = ::tcgetattr(fd, &old) == 0;
  if (have_termios) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
  }
  SecretBuffer buf(kMaxPassphraseBytes + 1);
  std::size_t len = 0;
  bool done = false;
  while (!done) {
    char c = 0;
    const ssize_t r = ::read(fd, &c, 1);
    if (r <= 0 || c == '\n') {
      done = true;
    } else if (len < buf.size()) {
      buf.data()[len++] = static_cast<std::uint8_t>(c);
    }
  }
  if (have_termios) ::tcsetattr(fd, TCSAFLUSH, &old);
  ::close(fd);
  if (len > kMaxPassphraseBytes) {
    return MakeError(ErrorCode::kInvalidArgument, "passphrase is too long");
  }
  if (len > 0 && buf.data()[len - 1] == '\r') --len;
  return SecretBuffer::CopyOf(std::span<const std::uint8_t>(buf.data(), len));
}

}  // namespace

Result<SecretBuffer> ReadPassphrase(const PassphraseRequest& request) {
  Result<SecretBuffer> first =
      request.file.empty() ? FromTerminal(request.prompt) : FromFile(request.file);
  if (!first) return first;
  if (request.is_new) {
    if (first->size() < kMinNewPassphraseChars) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "passphrase too short: use at least 10 characters (a few words is best)");
    }
    if (request.file.empty()) {
      auto again = FromTerminal("Repeat the passphrase");
      if (!again) return again;
      if (!again->Equals(*first)) {
        return MakeError(ErrorCode::kInvalidArgument, "the two passphrases differ");
      }
    }
  } else if (first->empty()) {
    return MakeError(ErrorCode::kInvalidArgument, "empty passphrase");
  }
  return first;
}

}  // namespace sealdrop::console
