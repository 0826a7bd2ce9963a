#include "server/http/socket_access.h"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace sealdrop::server {

Result<unsigned> ParseSocketMode(const std::string& text) {
  if (text == "0600") return 0600u;
  if (text == "0660") return 0660u;
  if (text == "0666") return 0666u;
  return MakeError(ErrorCode::kInvalidArgument,
                   "socket_mode must be \"0600\", \"0660\" or \"0666\", not \"" + text + "\"");
}

Status SetSocketAccess(const std::string& address, const SocketAccess& access) {
  if (address.rfind("unix:", 0) != 0) return Status::Ok();
  const std::string path = address.substr(5);
  if (!access.group.empty()) {
    std::vector<char> buf(16384);
    group entry {};
    group* found = nullptr;
    const int rc = ::getgrnam_r(access.group.c_str(), &entry, buf.data(), buf.size(), &found);
    if (rc != 0) {
      return MakeError(ErrorCode::kIo, "cannot look up socket group " + access.group + ": " +
                                           std::strerror(rc));
    }
    if (found == nullptr) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "socket group " + access.group + " does not exist on this system");
    }
    if (::chown(path.c_str(), static_cast<uid_t>(-1), found->gr_gid) != 0) {
      return MakeError(ErrorCode::kIo, "cannot give " + path + " to group " + access.group + ": " +
                                           std::strerror(errno) +
                                           " (the server's user must be a member of it)");
    }
  }
  if (::chmod(path.c_str(), access.mode) != 0) {
    return MakeError(ErrorCode::kIo, "cannot set the mode of " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace sealdrop::server
