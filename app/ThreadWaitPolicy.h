#pragma once
// LibTorch's CPU kernels run on libgomp threads that spin between parallel regions by default.
// On a machine with few cores that spinning takes the cores from the work that runs between the
// regions (and from the GUI thread): measured on 2 cores, training runs about 15 % faster with
// OMP_WAIT_POLICY=PASSIVE. libgomp reads the variable when it loads, before main(), so the only
// way to change it for the process is to run the program again with the variable set.
#include <string>
#include <vector>

namespace ipnp {

// When OMP_WAIT_POLICY is not set, sets it to PASSIVE and re-executes this program with the same
// arguments (returns only if that fails, or when the variable was already set: a user's choice wins).
// Loading the program twice costs about half a second, so the CLI asks only for its commands that
// run the network (`onlyFor`: any argument equal to one of these words); empty = always.
void useSleepingOpenMpThreads(char** argv, const std::vector<std::string>& onlyFor = {});

}  // namespace ipnp
