#include "ThreadWaitPolicy.h"

#include <algorithm>
#include <cstdlib>
#include <unistd.h>

namespace ipnp {

void useSleepingOpenMpThreads(char** argv, const std::vector<std::string>& onlyFor) {
    if (std::getenv("OMP_WAIT_POLICY")) return;
    bool wanted = onlyFor.empty();
    for (char** argument = argv + 1; *argument && !wanted; ++argument)
        wanted = std::find(onlyFor.begin(), onlyFor.end(), *argument) != onlyFor.end();
    if (!wanted) return;
    if (::setenv("OMP_WAIT_POLICY", "PASSIVE", 1) != 0) return;
    ::execv("/proc/self/exe", argv);
    // exec failed (no /proc?): carry on with spinning threads; only speed differs.
}

}  // namespace ipnp
