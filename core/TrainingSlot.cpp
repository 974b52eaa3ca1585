#include "TrainingSlot.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>

namespace ipnp {

namespace {

// Who holds the slot is a courtesy to the others, not part of the lock: a failed write is ignored.
bool replaceContents(int fd, const std::string& text) {
    return ::ftruncate(fd, 0) == 0 && ::pwrite(fd, text.data(), text.size(), 0) == ssize_t(text.size());
}

}  // namespace

TrainingSlot::TrainingSlot(const std::string& lockPath, const std::string& holder) {
    fd_ = ::open(lockPath.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) return;  // no slot to claim: nobody to warn either
    if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) {
        replaceContents(fd_, holder + "\n");
        return;
    }
    held_ = false;
    char buffer[512];
    const ssize_t count = ::pread(fd_, buffer, sizeof buffer - 1, 0);
    if (count > 0) otherHolder_.assign(buffer, std::size_t(count));
    while (!otherHolder_.empty() && (otherHolder_.back() == '\n' || otherHolder_.back() == '\r')) otherHolder_.pop_back();
    if (otherHolder_.empty()) otherHolder_ = "another process";
    ::close(fd_);
    fd_ = -1;
}

TrainingSlot::~TrainingSlot() {
    if (fd_ < 0) return;
    // Emptied before unlocking, so that a later claimant never reads a holder that has left.
    replaceContents(fd_, "");
    ::close(fd_);  // releases the lock
}

std::string TrainingSlot::defaultLockPath() {
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    if (runtime && *runtime) return std::string(runtime) + "/ipnp-training.lock";
    return "/tmp/ipnp-training-" + std::to_string(::getuid()) + ".lock";
}

}  // namespace ipnp
